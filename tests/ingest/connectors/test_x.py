"""XConnector against the replay server: real tweepy recordings and documented-shape threads."""

from __future__ import annotations

import copy
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors import x
from ingest.connectors.x import XConnector, snowflake_time
from ingest.http import AuthError, BadBody

SEARCH = "/2/tweets/search/recent"
TOKEN = "tok-SECRET-123"
SECRETS = Secrets(x_bearer_token=TOKEN)
BRANDS = [Brand(name="aurora", own_accounts={"x": ["@CaffeAurora"]})]
PAGE2_TOKEN = "b26v89c19zqg8o3fpzbn1e0ffhxjiofzw6po136rvbnul"
T1, T2, T3, T4, T5 = ("1764926990709686395", "1764946473251766395", "1764954719253430395",
                      "1764965397951414395", "1764974273098678395")


def _source(replay, query='"Caffè Aurora" OR CaffeAurora', **options) -> Source:
    return Source(name="x-aurora", kind="x", url=replay.url, query=query, brand="aurora", options=options)


def _clock(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(x, "utc_now", lambda: when)


@pytest.fixture(autouse=True)
def march_2024(monkeypatch):
    """The documented-shape thread is from 2024-03-05: "now" is the day after (inside the 7-day window)."""
    _clock(monkeypatch, datetime(2024, 3, 6, tzinfo=timezone.utc))


def _serve_thread(replay) -> None:
    replay.route(SEARCH, replay.load_json("x", "search_thread_page1.json"))
    replay.route(SEARCH, replay.load_json("x", "search_thread_page2.json"), query={"next_token": PAGE2_TOKEN})


def test_a_thread_is_parsed_with_replies_paired_and_the_brand_reply_marked(replay, harvest):
    _serve_thread(replay)
    run = harvest(XConnector, _source(replay), brands=BRANDS, secrets=SECRETS)
    assert run.error is None
    found = {m.native_id: m for m in run.mentions}
    assert set(found) == {T1, T3, T4, T5}  # the retweet (T2) repeats T1's words: skipped
    root, quote, follow_up, answer = found[T1], found[T3], found[T4], found[T5]

    assert root.thread_id == root.id == mention_id("x", T1) and root.parent_id is None
    assert follow_up.thread_id == root.id and follow_up.parent_id == root.id
    assert answer.thread_id == root.id and answer.parent_id == follow_up.id
    assert quote.thread_id == quote.id and quote.parent_id is None  # a quote starts its own thread

    assert answer.author_is_brand and answer.brand == "aurora" and answer.author.handle == "CaffeAurora"
    assert not follow_up.author_is_brand and follow_up.brand == "aurora"
    assert root.author.id == "7000000001" and root.author.name == "Giulia R." and root.author.followers == 312
    assert root.url == f"https://x.com/giulia_r/status/{T1}"
    assert root.published_at == datetime(2024, 3, 5, 8, 12, 40, tzinfo=timezone.utc)
    assert root.language == "it"
    assert (root.engagement.likes, root.engagement.shares, root.engagement.replies, root.engagement.views) == (
        12, 5, 2, 5400)
    assert "&amp;" not in follow_up.text and "settimana & la macchina" in follow_up.text

    # The partial error of page 1 (the retweeter's suspended account) is reported, not lost.
    assert len(run.problems) == 1 and "Forbidden" in run.problems[0].reason

    first, second = replay.requests(SEARCH)
    assert first.query["query"] == '("Caffè Aurora" OR CaffeAurora) -is:retweet'
    assert "conversation_id" in first.query["tweet.fields"] and first.query["expansions"] == "author_id"
    assert first.headers["authorization"] == f"Bearer {TOKEN}" and "next_token" not in first.query
    assert second.query["next_token"] == PAGE2_TOKEN
    assert run.cursor == {"search": {"since_id": T5}}


def test_the_next_run_asks_only_for_newer_posts(replay, harvest):
    _serve_thread(replay)
    first = harvest(XConnector, _source(replay), brands=BRANDS, secrets=SECRETS)
    newer = copy.deepcopy(replay.load_json("x", "search_thread_page2.json"))
    newer["data"][0].update(id="1764990000000000123", created_at="2024-03-05T12:22:02.000Z", conversation_id=T1)
    replay.route(SEARCH, newer, query={"since_id": T5})  # a request without since_id would get page 1 again

    second = harvest(XConnector, _source(replay), cursor=first.cursor, brands=BRANDS, secrets=SECRETS)
    assert [m.native_id for m in second.mentions] == ["1764990000000000123"]
    assert not {m.id for m in second.mentions} & {m.id for m in first.mentions}
    assert replay.requests(SEARCH)[-1].query["since_id"] == T5
    assert second.cursor == {"search": {"since_id": "1764990000000000123"}}


def test_a_run_stopped_at_max_items_resumes_below_the_last_post_it_handled(replay, harvest):
    _serve_thread(replay)
    first = harvest(XConnector, _source(replay, max_items=2), brands=BRANDS, secrets=SECRETS)
    assert [m.native_id for m in first.mentions] == [T5, T4]
    assert first.cursor == {"search": {"since_id": None, "until_id": T4, "newest_id": T5}}

    rest = replay.load_json("x", "search_thread_page1.json")
    rest["data"] = [p for p in rest["data"] if int(p["id"]) < int(T4)]
    replay.route(SEARCH, rest, query={"until_id": T4})
    replay.route(SEARCH, replay.load_json("x", "search_thread_page2.json"), query={"next_token": PAGE2_TOKEN})
    second = harvest(XConnector, _source(replay), cursor=first.cursor, brands=BRANDS, secrets=SECRETS)
    assert [m.native_id for m in second.mentions] == [T3, T1]
    assert second.cursor == {"search": {"since_id": T5}}  # backlog done: next time only newer than the newest


def test_real_recorded_pages_without_fields_still_give_timed_mentions(replay, harvest, monkeypatch):
    _clock(monkeypatch, datetime(2022, 10, 8, tzinfo=timezone.utc))
    page1 = replay.load_json("x", "search_recent_tweepy.json")
    replay.route(SEARCH, page1)
    replay.route(SEARCH, replay.load_bytes("x", "tweets_lookup_tweepy.json"),
                 query={"next_token": page1["meta"]["next_token"]})
    run = harvest(XConnector, _source(replay, query="Tweepy"), secrets=SECRETS)
    assert run.error is None and not run.problems
    assert len(run.mentions) == 12
    for mention in run.mentions[:10]:  # tweepy's bot wrote its own clock into each post
        written = datetime.fromisoformat(mention.text.split(" tweepy")[0]).replace(tzinfo=timezone.utc)
        assert abs(mention.published_at - written) < timedelta(seconds=1)
        assert mention.url == f"https://x.com/i/status/{mention.native_id}"
        assert mention.thread_id == mention.id and mention.brand == "aurora"
    assert run.cursor == {"search": {"since_id": page1["meta"]["newest_id"]}}


def test_mentions_of_reads_the_accounts_mentions_timeline(replay, harvest, monkeypatch):
    _clock(monkeypatch, datetime(2022, 10, 8, tzinfo=timezone.utc))
    path = "/2/users/783214/mentions"
    page1 = replay.load_json("x", "users_mentions_tweepy.json")
    replay.route(path, page1)
    replay.route(path, {"meta": {"result_count": 0}}, query={"pagination_token": page1["meta"]["next_token"]})
    run = harvest(XConnector, _source(replay, query=None, mentions_of="783214"), secrets=SECRETS)
    assert [m.native_id for m in run.mentions] == [t["id"] for t in page1["data"]]
    assert not replay.requests(SEARCH)
    assert len(replay.requests(path)) == 2
    assert run.cursor == {"mentions": {"since_id": page1["meta"]["newest_id"]}}


def test_a_post_found_by_search_and_mentions_is_emitted_once(replay, harvest):
    replay.route(SEARCH, replay.load_json("x", "search_thread_page2.json"))
    replay.route("/2/users/7000000002/mentions", replay.load_json("x", "search_thread_page2.json"))
    run = harvest(XConnector, _source(replay, mentions_of="7000000002"), brands=BRANDS, secrets=SECRETS)
    assert [m.native_id for m in run.mentions] == [T1]
    assert set(run.cursor) == {"search", "mentions"}


def test_include_retweets_keeps_the_query_and_the_retweets(replay, harvest):
    _serve_thread(replay)
    run = harvest(XConnector, _source(replay, include_retweets=True), brands=BRANDS, secrets=SECRETS)
    assert T2 in {m.native_id for m in run.mentions}
    assert replay.requests(SEARCH)[0].query["query"] == '"Caffè Aurora" OR CaffeAurora'


def test_a_since_id_older_than_the_search_window_is_dropped_not_sent(replay, harvest, monkeypatch):
    _clock(monkeypatch, datetime(2024, 3, 20, tzinfo=timezone.utc))
    replay.route(SEARCH, {"meta": {"result_count": 0}})
    harvest(XConnector, _source(replay), cursor={"search": {"since_id": T5}}, secrets=SECRETS)
    assert "since_id" not in replay.requests(SEARCH)[0].query


def test_rate_limits_are_waited_out(replay, harvest):
    reset = str(int(time.time()) + 30)
    replay.route(SEARCH, replay.Reply(429, b'{"title": "Too Many Requests"}', {"Retry-After": "3"}),
                 replay.Reply(429, b"{}", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}),
                 replay.load_json("x", "search_thread_page2.json"))
    run = harvest(XConnector, _source(replay), secrets=SECRETS)
    assert [m.native_id for m in run.mentions] == [T1]
    assert run.waits[0] == 3.0 and 25 <= run.waits[1] <= 31


def test_refused_or_missing_token_names_the_setting_not_the_token(replay, harvest):
    replay.route(SEARCH, replay.Reply(401, b'{"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}'))
    run = harvest(XConnector, _source(replay), secrets=SECRETS)
    assert isinstance(run.error, AuthError) and not run.mentions
    assert "PASSAPAROLA_SECRETS__X_BEARER_TOKEN" in str(run.error) and TOKEN not in str(run.error)

    missing = harvest(XConnector, _source(replay), secrets=Secrets())
    assert isinstance(missing.error, AuthError) and "PASSAPAROLA_SECRETS__X_BEARER_TOKEN" in str(missing.error)
    assert len(replay.requests(SEARCH)) == 1  # no request without a token


def test_malformed_posts_become_problems_and_the_rest_flows(replay, harvest):
    page = replay.load_json("x", "search_thread_page1.json")
    page["data"] += [{"id": "not-a-number", "text": "x"}, "just a string",
                     {"id": "1764920000000000123", "text": "bad date", "created_at": "yesterday"},
                     {"id": "1764910000000000123", "text": "bad refs", "referenced_tweets": [7]}]
    del page["meta"]["next_token"]
    replay.route(SEARCH, page)
    run = harvest(XConnector, _source(replay), brands=BRANDS, secrets=SECRETS)
    assert {m.native_id for m in run.mentions} == {T3, T4, T5}
    assert len(run.problems) == 5  # four bad posts and the partial error
    assert any("yesterday" in p.reason for p in run.problems) and all(p.sample for p in run.problems)
    assert run.cursor == {"search": {"since_id": T5}}


def test_a_truncated_or_unexpected_body_ends_the_run_cleanly(replay, harvest):
    body = json.dumps(replay.load_json("x", "search_thread_page1.json")).encode()
    replay.route(SEARCH, body[: len(body) // 2])
    run = harvest(XConnector, _source(replay), secrets=SECRETS)
    assert isinstance(run.error, BadBody) and not run.mentions and not run.checkpoints

    replay.route(SEARCH, {"unexpected": True})
    run = harvest(XConnector, _source(replay), secrets=SECRETS)
    assert run.error is None and not run.mentions and len(run.problems) == 1 and not run.checkpoints


def test_snowflake_time_matches_a_recorded_created_at():
    assert snowflake_time(T1) == datetime(2024, 3, 5, 8, 12, 40, tzinfo=timezone.utc)
