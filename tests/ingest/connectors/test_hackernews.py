"""Hacker News connector against the replay server, with bodies in Algolia HN Search's shape."""

from __future__ import annotations

from datetime import datetime, timezone

from core.schema import mention_id
from core.settings import Brand, Source
from ingest.connectors.hackernews import HackerNewsConnector
from ingest.http import AuthError, BadBody

SEARCH = "/api/v1/search_by_date"
BRAND = "Caffè Aurora"
BRANDS = [Brand(name=BRAND, own_accounts={"hackernews": ["caffeaurora"]})]
LOW = 1714100000  # a lower bound older than every fixture hit


def _source(replay, **options) -> Source:
    return Source(name="hn", kind="hackernews", url=f"{replay.url}/api/v1", query=BRAND, brand=BRAND,
                  options={"per_page": 3, **options})


def _serve(replay) -> None:
    replay.route(SEARCH, replay.load_bytes("hackernews", "search_page0.json"))
    replay.route(SEARCH, replay.load_bytes("hackernews", "search_page1.json"), query={"page": "1"})


def _ids(found) -> list[str]:
    return [m.native_id for m in found.mentions]


def test_stories_and_comments_become_threaded_mentions(replay, harvest):
    _serve(replay)
    found = harvest(HackerNewsConnector, _source(replay), cursor={"from": LOW}, brands=BRANDS)
    assert found.error is None and found.problems == []
    assert _ids(found) == ["40250005", "40250004", "40250003", "40250001", "40249990"]
    got = {m.native_id: m for m in found.mentions}
    story, ask, question, answer = got["40250001"], got["40249990"], got["40250003"], got["40250005"]
    assert story.title == "Caffè Aurora open-sources the firmware of its home espresso machine"
    assert story.text == "https://www.caffe-aurora.example/firmware"  # a link story: its text is the link
    assert story.engagement.likes == 85 and story.engagement.replies == 3 and story.thread_id == story.id
    assert story.url == "https://news.ycombinator.com/item?id=40250001"
    assert ask.text == "I drink two cups a day and the plan costs €19 a month.\nAnyone tried it?"
    assert question.thread_id == story.id and question.parent_id == story.id and question.title is None
    assert question.text == "Their capsules clog my machine about once a week. Does the new firmware help?\n" \
                            "I'd like to know before updating."
    assert answer.parent_id == question.id and answer.thread_id == mention_id("hackernews", "40250001")
    assert answer.published_at == datetime.fromtimestamp(1714740000, timezone.utc)
    assert answer.author.handle == "caffeaurora"


def test_the_brands_own_account_is_a_brand_reply(replay, harvest):
    _serve(replay)
    found = harvest(HackerNewsConnector, _source(replay), cursor={"from": LOW}, brands=BRANDS)
    got = {m.native_id: m for m in found.mentions}
    assert got["40250005"].author_is_brand and got["40250005"].brand == BRAND
    assert [k for k, m in got.items() if m.author_is_brand] == ["40250005"]


def test_pages_are_read_up_to_nbpages_with_the_documented_parameters(replay, harvest):
    _serve(replay)
    found = harvest(HackerNewsConnector, _source(replay), cursor={"from": LOW}, brands=BRANDS)
    asked = replay.requests(SEARCH)
    assert [r.query["page"] for r in asked] == ["0", "1"]
    assert all(r.query["query"] == BRAND and r.query["tags"] == "(story,comment)" and r.query["hitsPerPage"] == "3"
               and r.query["numericFilters"] == f"created_at_i>={LOW}" for r in asked)
    # The finished walk's newest second is the next lower bound.
    assert found.cursor == {"from": 1714740000, "seen": ["40250005"]}


def test_a_second_run_asks_from_the_cursor_and_repeats_nothing(replay, harvest):
    _serve(replay)
    first = harvest(HackerNewsConnector, _source(replay), cursor={"from": LOW}, brands=BRANDS)
    replay.route(SEARCH, replay.load_bytes("hackernews", "search_resume.json"),
                 query={"numericFilters": "created_at_i>=1714740000"})
    second = harvest(HackerNewsConnector, _source(replay), cursor=first.cursor, brands=BRANDS)
    assert replay.requests(SEARCH)[-1].query["numericFilters"] == "created_at_i>=1714740000"
    assert _ids(second) == ["40250006"]
    assert second.mentions[0].parent_id == mention_id("hackernews", "40250005")
    assert second.cursor == {"from": 1714741000, "seen": ["40250006"]}


def test_first_run_looks_back_lookback_days(replay, harvest):
    _serve(replay)
    harvest(HackerNewsConnector, _source(replay, lookback_days=3))
    bound = int(replay.requests(SEARCH)[0].query["numericFilters"].removeprefix("created_at_i>="))
    assert abs(datetime.now(timezone.utc).timestamp() - 3 * 86400 - bound) < 60


def test_max_items_leaves_an_unfinished_walk_that_the_next_run_completes(replay, harvest):
    _serve(replay)
    first = harvest(HackerNewsConnector, _source(replay, max_items=2), cursor={"from": LOW})
    assert _ids(first) == ["40250005", "40250004"]
    assert first.cursor["from"] == LOW and first.cursor["walk"]["top"] == 1714740000
    assert first.cursor["walk"]["down_to"] == 1714739000 and first.cursor["walk"]["down_seen"] == ["40250004"]
    replay.route(SEARCH, replay.load_bytes("hackernews", "search_walk_rest.json"),
                 query={"numericFilters": f"created_at_i>={LOW},created_at_i<=1714739000"})
    second = harvest(HackerNewsConnector, _source(replay, per_page=100), cursor=first.cursor)
    assert _ids(second) == ["40250003", "40250001", "40249990"]
    assert second.cursor == {"from": 1714740000, "seen": ["40250005"]}


def test_more_hits_than_algolia_pages_through_narrow_the_window(replay, harvest):
    # nbHits 5 but one page of 3 reachable: the run asks again below the oldest hit it read.
    page0 = replay.load_json("hackernews", "search_page0.json")
    replay.route(SEARCH, {**page0, "nbPages": 1})
    replay.route(SEARCH, replay.load_bytes("hackernews", "search_page1.json"),
                 query={"numericFilters": f"created_at_i>={LOW},created_at_i<=1714738000"})
    found = harvest(HackerNewsConnector, _source(replay), cursor={"from": LOW})
    assert _ids(found) == ["40250005", "40250004", "40250003", "40250001", "40249990"]
    assert found.cursor == {"from": 1714740000, "seen": ["40250005"]}


def test_a_429_waits_as_asked_then_goes_on(replay, harvest):
    replay.route(SEARCH, replay.Reply(429, b'{"message": "Too many requests"}', {"Retry-After": "6"}),
                 replay.load_bytes("hackernews", "search_resume.json"))
    found = harvest(HackerNewsConnector, _source(replay), cursor={"from": LOW})
    assert found.waits == [6.0] and found.error is None and _ids(found) == ["40250006", "40250005"]


def test_a_refused_request_ends_the_run_cleanly(replay, harvest):
    # HN search needs no credentials: a 403 (a blocked client) ends the run as an AuthError.
    replay.route(SEARCH, replay.Reply(403, b'{"message": "Forbidden"}'))
    found = harvest(HackerNewsConnector, _source(replay))
    assert isinstance(found.error, AuthError) and "HTTP 403" in str(found.error)
    assert BRAND not in str(found.error) and found.mentions == []  # no query string in the message


def test_bad_hits_are_problems_and_the_rest_flows(replay, harvest):
    replay.route(SEARCH, replay.load_bytes("hackernews", "search_bad.json"))
    found = harvest(HackerNewsConnector, _source(replay, per_page=100), cursor={"from": LOW})
    assert _ids(found) == ["40260004", "40260001"]
    assert len(found.problems) == 2
    assert "created_at_i" in found.problems[0].reason and "40260003" in found.problems[0].sample
    assert "40260002" in found.problems[1].reason and "parent_id" in found.problems[1].reason
    assert found.cursor["from"] == 1714820000


def test_a_truncated_body_ends_the_run_with_bad_body(replay, harvest):
    body = replay.load_bytes("hackernews", "search_page0.json")
    replay.route(SEARCH, body[:700])
    found = harvest(HackerNewsConnector, _source(replay))
    assert isinstance(found.error, BadBody) and found.mentions == []


def test_a_body_without_hits_is_a_problem(replay, harvest):
    replay.route(SEARCH, {"message": "index unavailable", "status": 200})
    found = harvest(HackerNewsConnector, _source(replay))
    assert found.error is None and found.mentions == [] and len(found.problems) == 1
