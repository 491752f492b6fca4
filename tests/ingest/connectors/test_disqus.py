"""Disqus connector against the replay server, with bodies in API 3.0's shape."""

from __future__ import annotations

from datetime import datetime, timezone

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors.disqus import DisqusConnector
from ingest.http import AuthError, BadBody, HttpProblem

LIST = "/api/3.0/forums/listPosts.json"
THREADS = "/api/3.0/threads/list.json"
BRAND = "Caffè Aurora"
KEY = "pubKEY1234567890"
HINT = "PASSAPAROLA_SECRETS__DISQUS_API_KEY"
SECRETS = Secrets(disqus_api_key=KEY)
BRANDS = [Brand(name=BRAND, own_accounts={"disqus": ["caffe_aurora"]})]


def _source(replay, **options) -> Source:
    return Source(name="commenti", kind="disqus", url=f"{replay.url}/api/3.0", brand=BRAND,
                  options={"forum": "caffeaurora", "moderators": ["mod_torino"], "per_page": 3, **options})


def _serve(replay) -> None:
    replay.route(LIST, replay.load_bytes("disqus", "listPosts_page1.json"))
    replay.route(LIST, replay.load_bytes("disqus", "listPosts_page2.json"), query={"cursor": "1714725900000000:0:0"})
    replay.route(THREADS, replay.load_bytes("disqus", "threads_list.json"))


def _run(replay, harvest, **kw):
    return harvest(DisqusConnector, kw.pop("source", None) or _source(replay), brands=BRANDS, secrets=SECRETS, **kw)


def _native(found) -> list[str]:
    return [m.native_id for m in found.mentions]


def test_posts_and_threads_become_threaded_mentions(replay, harvest):
    _serve(replay)
    found = _run(replay, harvest)
    assert found.error is None and found.problems == []
    # Threads come once, before their first post; deleted (9003) and spam (9006) posts are not mentions.
    assert _native(found) == ["threads/7701", "posts/9001", "posts/9002", "threads/7702", "posts/9004", "posts/9005"]
    got = {m.native_id: m for m in found.mentions}
    t1, first, reply = got["threads/7701"], got["posts/9001"], got["posts/9002"]
    assert t1.title == "Aurora Uno, la macchina da caffè per la casa"
    assert t1.url == "https://www.caffe-aurora.example/blog/aurora-uno/" and t1.engagement.replies == 3
    assert first.thread_id == t1.id and first.parent_id == t1.id
    assert reply.thread_id == t1.id and reply.parent_id == first.id
    assert first.text == "La macchinetta Aurora Uno perde acqua dopo due settimane. È normale?"
    assert first.published_at == datetime(2024, 5, 3, 8, 0, tzinfo=timezone.utc)
    assert first.url == "https://www.caffe-aurora.example/blog/aurora-uno/#comment-9001"
    assert first.author.handle == "giulia_r" and first.author.id == "311" and first.engagement.likes == 3
    guest = got["posts/9004"]
    assert guest.author.name == "Paolo" and guest.author.id == "guest:Paolo"
    assert guest.thread_id == got["threads/7702"].id == mention_id("disqus", "threads/7702")


def test_brand_replies_come_from_own_accounts_and_moderators(replay, harvest):
    _serve(replay)
    got = {m.native_id: m for m in _run(replay, harvest).mentions}
    assert got["posts/9002"].author_is_brand and got["posts/9002"].brand == BRAND  # own account
    assert got["posts/9005"].author_is_brand  # listed moderator
    assert not got["posts/9001"].author_is_brand and not got["posts/9004"].author_is_brand
    assert not got["threads/7701"].author_is_brand
    owned = {m.native_id: m for m in _run(replay, harvest, source=_source(replay, own_forum=True)).mentions}
    assert owned["threads/7701"].author_is_brand and not owned["posts/9001"].author_is_brand


def test_pages_follow_the_cursor_and_send_the_documented_parameters(replay, harvest):
    _serve(replay)
    found = _run(replay, harvest, source=_source(replay, lookback_days=0))
    asked = replay.requests(LIST)
    assert len(asked) == 2 and "cursor" not in asked[0].query
    assert asked[1].query["cursor"] == "1714725900000000:0:0"
    assert all(q.query["forum"] == "caffeaurora" and q.query["order"] == "asc" and q.query["related"] == "thread"
               and q.query["limit"] == "3" and q.query["api_key"] == KEY for q in asked)
    assert "since" not in asked[0].query
    # The thread named only by id is looked up once, in threads/list.
    assert [r.query["thread"] for r in replay.requests(THREADS)] == ["7702"]
    assert len(found.checkpoints) == 2
    newest = int(datetime(2024, 5, 3, 10, 5, tzinfo=timezone.utc).timestamp())
    # The spam post counts as read: the cursor must move past it.
    assert found.cursor["since"] == newest and found.cursor["seen"] == ["9005", "9006"]
    assert found.cursor["threads"] == ["7701", "7702"]


def test_a_second_run_asks_since_the_cursor_and_repeats_nothing(replay, harvest):
    _serve(replay)
    first = _run(replay, harvest)
    replay.route(LIST, replay.load_bytes("disqus", "listPosts_resume.json"),
                 query={"since": str(first.cursor["since"] - 1)})
    second = _run(replay, harvest, cursor=first.cursor)
    assert replay.requests(LIST)[-1].query["since"] == str(first.cursor["since"] - 1)
    assert _native(second) == ["posts/9007"]  # thread 7702 was emitted by the first run
    assert second.mentions[0].parent_id == mention_id("disqus", "posts/9005")
    assert second.cursor["seen"] == ["9007"]


def test_first_run_looks_back_lookback_days(replay, harvest):
    _serve(replay)
    _run(replay, harvest, source=_source(replay, lookback_days=1))
    since = int(replay.requests(LIST)[0].query["since"])
    assert abs(datetime.now(timezone.utc).timestamp() - 86400 - since) < 60


def test_max_items_stops_with_a_cursor_that_resumes_there(replay, harvest):
    _serve(replay)
    found = _run(replay, harvest, source=_source(replay, max_items=2))
    assert _native(found) == ["threads/7701", "posts/9001"]
    assert found.cursor["seen"] == ["9001"] and len(replay.requests(LIST)) == 1


def test_a_429_waits_as_asked_then_goes_on(replay, harvest):
    _serve(replay)
    replay.route(LIST, replay.Reply(429, b'{"code": 13, "response": "slow down"}', {"Retry-After": "9"}),
                 replay.load_bytes("disqus", "listPosts_page2.json"))
    found = _run(replay, harvest)
    assert found.waits == [9.0] and found.error is None
    assert _native(found) == ["threads/7702", "posts/9004", "posts/9005"]


def test_401_names_the_secret_and_never_shows_the_key(replay, harvest):
    replay.route(LIST, replay.Reply(401, replay.load_bytes("disqus", "error_invalid_key.json")))
    found = _run(replay, harvest)
    assert isinstance(found.error, AuthError)
    assert "PASSAPAROLA_SECRETS__DISQUS_API_KEY" in str(found.error) and KEY not in str(found.error)


def test_an_error_code_in_a_200_body_is_understood(replay, harvest):
    replay.route(LIST, replay.load_bytes("disqus", "error_invalid_key.json"))
    found = _run(replay, harvest)
    assert isinstance(found.error, AuthError) and "Invalid API key" in str(found.error)
    assert "PASSAPAROLA_SECRETS__DISQUS_API_KEY" in str(found.error) and KEY not in str(found.error)
    replay.route(LIST, replay.load_bytes("disqus", "error_rate_limit.json"))
    found = _run(replay, harvest)
    assert isinstance(found.error, HttpProblem) and not isinstance(found.error, AuthError)
    replay.route(LIST, replay.load_bytes("disqus", "error_argument.json"))
    found = _run(replay, harvest)
    assert found.error is None and len(found.problems) == 1 and "Unable to find forum" in found.problems[0].reason


def test_the_code_in_an_error_response_is_understood(replay, harvest):
    replay.route(LIST, replay.Reply(400, replay.load_bytes("disqus", "error_invalid_key.json")))
    found = _run(replay, harvest)
    assert isinstance(found.error, AuthError)
    assert str(found.error) == f"{replay.url}{LIST}: Disqus error 5: Invalid API key (check {HINT})"
    replay.route(LIST, replay.Reply(400, replay.load_bytes("disqus", "error_argument.json")))
    found = _run(replay, harvest)
    assert found.error is None and [p.reason for p in found.problems] == [
        f"{replay.url}{LIST}: Disqus error 2: Invalid argument, 'forum': Unable to find forum with id 'nessuno'"]
    replay.route(LIST, replay.Reply(429, replay.load_bytes("disqus", "error_rate_limit.json")))
    found = _run(replay, harvest)
    assert len(found.waits) == 3 and type(found.error) is HttpProblem  # retried, then left for the next run
    assert str(found.error) == f"{replay.url}{LIST}: Disqus error 13: You have exceeded your hourly limit of requests"


def test_an_error_response_without_a_disqus_code_is_the_http_error(replay, harvest):
    replay.route(LIST, replay.Reply(400, b"<html>400 Bad Request</html>", {"Content-Type": "text/html"}))
    found = _run(replay, harvest)
    assert type(found.error) is HttpProblem and str(found.error) == f"{replay.url}{LIST}: HTTP 400"
    replay.route(LIST, replay.Reply(403, b'{"code": 0, "response": []}'))
    found = _run(replay, harvest)
    assert isinstance(found.error, AuthError) and HINT in str(found.error) and KEY not in str(found.error)


def test_without_a_key_nothing_is_asked(replay, harvest):
    found = harvest(DisqusConnector, _source(replay), secrets=Secrets())
    assert isinstance(found.error, AuthError) and "PASSAPAROLA_SECRETS__DISQUS_API_KEY" in str(found.error)
    assert replay.requests() == []


def test_bad_posts_are_problems_and_the_rest_flows(replay, harvest):
    replay.route(LIST, replay.load_bytes("disqus", "listPosts_bad.json"))
    found = _run(replay, harvest)
    assert _native(found) == ["threads/7701", "posts/9101", "posts/9104"]
    assert len(found.problems) == 2
    assert "createdAt" in found.problems[0].reason and "9102" in found.problems[0].sample
    assert "9103" in found.problems[1].reason and "thread" in found.problems[1].reason


def test_a_truncated_body_ends_the_run_with_bad_body(replay, harvest):
    body = replay.load_bytes("disqus", "listPosts_page1.json")
    replay.route(LIST, body[: len(body) // 3])
    found = _run(replay, harvest)
    assert isinstance(found.error, BadBody) and found.mentions == []
