"""WordPress comments connector against the replay server, with bodies in the REST API's shape."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from urllib.parse import urlsplit

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors.wordpress import WordPressConnector
from ingest.http import AuthError, BadBody, HttpProblem

COMMENTS = "/wp-json/wp/v2/comments"
BRAND = "Caffè Aurora"


def _source(replay, **options) -> Source:
    return Source(name="blog", kind="wordpress", url=replay.url, brand=BRAND, options={"per_page": 3, **options})


def _site(replay) -> str:
    return urlsplit(replay.url).netloc


def _brands(replay) -> list[Brand]:
    # The brand's account on this blog: the display name it comments with, and user 2.
    return [Brand(name=BRAND, own_accounts={"wordpress": [BRAND, f"{_site(replay)}/users/2"]})]


def _serve_site(replay) -> None:
    replay.route(COMMENTS, replay.Reply(200, replay.load_bytes("wordpress", "comments_page1.json"),
                                        {"X-WP-Total": "5", "X-WP-TotalPages": "2"}))
    replay.route(COMMENTS, replay.Reply(200, replay.load_bytes("wordpress", "comments_page2.json"),
                                        {"X-WP-Total": "5", "X-WP-TotalPages": "2"}), query={"page": "2"})
    replay.route("/wp-json/wp/v2/posts/42", replay.load_bytes("wordpress", "post_42.json"))
    replay.route("/wp-json/wp/v2/posts/57", replay.load_bytes("wordpress", "post_57.json"))


def _by_native(found) -> dict:
    return {m.native_id.rsplit("/", 2)[-2] + "/" + m.native_id.rsplit("/", 1)[-1]: m for m in found.mentions}


def test_comments_and_their_posts_become_threaded_mentions(replay, harvest):
    _serve_site(replay)
    found = harvest(WordPressConnector, _source(replay), brands=_brands(replay))
    assert found.error is None and found.problems == []
    got = _by_native(found)
    assert sorted(got) == ["comments/101", "comments/102", "comments/103", "comments/104", "comments/105",
                           "posts/42", "posts/57"]
    site = _site(replay)
    post42, first, reply = got["posts/42"], got["comments/101"], got["comments/102"]
    # Each post comes once, before its first comment.
    natives = [m.native_id for m in found.mentions]
    assert natives.index(f"{site}/posts/42") < natives.index(f"{site}/comments/101")
    assert post42.native_id == f"{site}/posts/42" and post42.thread_id == post42.id
    assert post42.title == "Aurora Intensa: la nuova miscela “da moka”"
    assert post42.author.handle == "redazione" and post42.author_is_brand and post42.brand == BRAND
    assert first.thread_id == post42.id and first.parent_id == post42.id
    assert reply.parent_id == first.id and reply.thread_id == post42.id
    assert first.text.startswith("Ho provato la miscela Aurora Intensa") and "è arrivata" in first.text
    assert first.published_at == datetime(2024, 5, 2, 8, 15, tzinfo=timezone.utc)
    assert first.url.endswith("#comment-101") and first.author.name == "Giulia R."
    assert got["comments/103"].text == "Per me è troppo tostata, preferivo la vecchia Aurora Classica."


def test_brand_replies_are_the_post_authors_and_the_brands_named_accounts(replay, harvest):
    _serve_site(replay)
    got = _by_native(harvest(WordPressConnector, _source(replay), brands=_brands(replay)))
    assert got["comments/102"].author_is_brand  # user 2 wrote post 42, which is the brand's
    assert got["comments/105"].author_is_brand  # commented as "Caffè Aurora"
    assert not got["comments/101"].author_is_brand and not got["comments/103"].author_is_brand
    assert not got["posts/57"].author_is_brand and not got["comments/104"].author_is_brand
    # Without the brand's accounts, only own_site makes post authors the brand.
    plain = _by_native(harvest(WordPressConnector, _source(replay)))
    assert not any(m.author_is_brand for m in plain.values())
    owned = _by_native(harvest(WordPressConnector, _source(replay, own_site=True)))
    assert owned["posts/57"].author_is_brand and owned["comments/102"].author_is_brand
    assert not owned["comments/105"].author_is_brand  # a guest, not a post author, without accounts


def test_pages_are_read_up_to_x_wp_totalpages_in_date_order(replay, harvest):
    _serve_site(replay)
    found = harvest(WordPressConnector, _source(replay, lookback_days=0), brands=_brands(replay))
    asked = replay.requests(COMMENTS)
    assert [r.query["page"] for r in asked] == ["1", "2"]
    assert all(r.query["orderby"] == "date_gmt" and r.query["order"] == "asc" and r.query["per_page"] == "3"
               for r in asked)
    assert "after" not in asked[0].query  # lookback_days=0: everything
    # One checkpoint per page; the last names the newest comment (site time) and its id.
    assert len(found.checkpoints) == 2
    assert found.cursor["after"] == "2024-05-03T09:20:00" and found.cursor["seen"] == [105]
    assert found.cursor["posts"] == [42, 57]
    assert len(replay.requests("/wp-json/wp/v2/posts/42")) == 1  # a post is fetched once per run


def test_a_second_run_asks_after_the_cursor_and_repeats_nothing(replay, harvest):
    _serve_site(replay)
    first = harvest(WordPressConnector, _source(replay), brands=_brands(replay))
    replay.route(COMMENTS, replay.Reply(200, replay.load_bytes("wordpress", "comments_resume.json"),
                                        {"X-WP-Total": "2", "X-WP-TotalPages": "1"}),
                 query={"after": "2024-05-03T09:19:59"})
    second = harvest(WordPressConnector, _source(replay), cursor=first.cursor, brands=_brands(replay))
    assert replay.requests(COMMENTS)[-1].query["after"] == "2024-05-03T09:19:59"
    assert [m.native_id.rsplit("/", 1)[-1] for m in second.mentions] == ["106"]  # not 105, not post 57 again
    assert not {m.id for m in second.mentions} & {m.id for m in first.mentions}
    assert second.mentions[0].parent_id == mention_id("wordpress", f"{_site(replay)}/comments/105")
    assert second.cursor["after"] == "2024-05-03T12:00:00" and second.cursor["seen"] == [106]


def test_first_run_looks_back_lookback_days(replay, harvest):
    _serve_site(replay)
    harvest(WordPressConnector, _source(replay, lookback_days=2, posts=[42, 57]))
    query = replay.requests(COMMENTS)[0].query
    after = datetime.fromisoformat(query["after"])
    assert abs((datetime.now(timezone.utc) - after).total_seconds() - 2 * 86400) < 60
    assert query["post"] == "42,57"


def test_max_items_stops_with_a_cursor_that_resumes_there(replay, harvest):
    _serve_site(replay)
    found = harvest(WordPressConnector, _source(replay, max_items=3), brands=_brands(replay))
    assert [m.native_id.rsplit("/", 1)[-1] for m in found.mentions] == ["42", "101", "102"]
    assert found.cursor["after"] == "2024-05-02T10:40:00" and found.cursor["seen"] == [102]
    assert len(replay.requests(COMMENTS)) == 1


def test_a_429_waits_as_asked_then_goes_on(replay, harvest):
    _serve_site(replay)
    replay.route(COMMENTS, replay.Reply(429, b'{"code":"too_many"}', {"Retry-After": "4"}),
                 replay.Reply(200, replay.load_bytes("wordpress", "comments_page2.json"), {"X-WP-TotalPages": "1"}))
    found = harvest(WordPressConnector, _source(replay))
    assert found.waits == [4.0]
    assert found.error is None and len(found.mentions) == 3  # post 57 and two comments


def test_401_names_the_secret_and_never_shows_the_password(replay, harvest):
    replay.route(COMMENTS, replay.Reply(401, replay.load_bytes("wordpress", "error_401.json")))
    secrets = Secrets(wordpress_app_password="abcd EFGH ijkl MNOP")
    found = harvest(WordPressConnector, _source(replay, user="redazione"), secrets=secrets)
    assert isinstance(found.error, AuthError)
    assert "PASSAPAROLA_SECRETS__WORDPRESS_APP_PASSWORD" in str(found.error)
    assert "abcd" not in str(found.error) and found.mentions == []
    sent = replay.requests(COMMENTS)[0].headers["authorization"]
    assert base64.b64decode(sent.removeprefix("Basic ")).decode() == "redazione:abcd EFGH ijkl MNOP"


def test_bad_comments_are_problems_and_the_rest_flows(replay, harvest):
    bad = replay.load_bytes("wordpress", "comments_bad.json")
    replay.route(COMMENTS, replay.Reply(200, bad, {"X-WP-TotalPages": "1"}))
    replay.route("/wp-json/wp/v2/posts/42", replay.load_bytes("wordpress", "post_42.json"))
    found = harvest(WordPressConnector, _source(replay, per_page=10))
    assert [m.native_id.rsplit("/", 1)[-1] for m in found.mentions] == ["42", "201", "204"]
    reasons = [p.reason for p in found.problems]
    assert len(reasons) == 2 and "date" in reasons[0] and "content" in reasons[1]
    assert '"id": 202' in found.problems[0].sample
    assert found.cursor["after"] == "2024-05-04T08:20:00"


def test_a_post_that_is_gone_is_a_problem_and_its_comments_still_thread(replay, harvest):
    page2 = replay.load_bytes("wordpress", "comments_page2.json")
    replay.route(COMMENTS, replay.Reply(200, page2, {"X-WP-TotalPages": "1"}))
    replay.route("/wp-json/wp/v2/posts/57", replay.Reply(404, replay.load_bytes("wordpress", "error_404.json")))
    replay.route("/wp-json/wp/v2/pages/57", replay.Reply(404, replay.load_bytes("wordpress", "error_404.json")))
    found = harvest(WordPressConnector, _source(replay))
    assert len(found.problems) == 1 and "post 57" in found.problems[0].reason
    assert len(replay.requests("/wp-json/wp/v2/pages/57")) == 1  # a page id is tried too
    thread = mention_id("wordpress", f"{_site(replay)}/posts/57")
    assert [m.thread_id for m in found.mentions] == [thread, thread]


def test_a_post_that_cannot_be_read_for_another_reason_ends_the_run(replay, harvest):
    page2 = replay.load_bytes("wordpress", "comments_page2.json")
    replay.route(COMMENTS, replay.Reply(200, page2, {"X-WP-TotalPages": "1"}))
    replay.route("/wp-json/wp/v2/posts/57", replay.Reply(503, b'{"code": "unavailable"}'))
    found = harvest(WordPressConnector, _source(replay))
    assert type(found.error) is HttpProblem and found.error.status == 503 and found.mentions == []
    assert replay.requests("/wp-json/wp/v2/pages/57") == []  # not taken for a page that is gone


def test_a_truncated_body_ends_the_run_with_bad_body(replay, harvest):
    body = replay.load_bytes("wordpress", "comments_page1.json")
    replay.route(COMMENTS, replay.Reply(200, body[: len(body) // 2], {"X-WP-TotalPages": "1"}))
    found = harvest(WordPressConnector, _source(replay))
    assert isinstance(found.error, BadBody) and found.mentions == []


def test_a_body_that_is_not_a_list_is_a_problem(replay, harvest):
    replay.route(COMMENTS, {"code": "rest_no_route", "message": "No route was found", "data": {"status": 404}})
    found = harvest(WordPressConnector, _source(replay))
    assert found.error is None and found.mentions == [] and len(found.problems) == 1
