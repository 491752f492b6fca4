"""Mastodon connector against the replay server, with real bodies from Mastodon.py's cassettes."""

from __future__ import annotations

import copy
import json
from urllib.parse import urlsplit

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors.mastodon import MastodonConnector
from ingest.http import AuthError, BadBody

TAG = "/api/v1/timelines/tag/hoot"
TOKEN = Secrets(mastodon_token="s3cret-mastodon-token")
ROOT, REPLY, HOOT, OLDER = "117020583245459824", "117020583258292382", "117020593741189701", "117020577157693549"


def source(replay, **options):
    query = options.pop("query", None)
    options.setdefault("hashtags", ["hoot"])
    return Source(name="masto", kind="mastodon", url=replay.url, query=query, brand="Aurora", options=options)


def mid(replay, status_id):
    """The mention id the connector gives a status of the replay "instance"."""
    return mention_id("mastodon", f"{urlsplit(replay.url).netloc}/{status_id}")


def link(replay, **rels):
    return {"Link": ", ".join(f'<{replay.url}{TAG}?{param}>; rel="{rel}"' for rel, param in rels.items())}


def test_a_timeline_page_becomes_threaded_mentions_with_the_brand_reply_marked(replay, harvest):
    replay.route(TAG, replay.load_json("mastodon", "tag_hoot_page1.json"))
    brands = [Brand(name="Aurora", own_accounts={"mastodon": ["admin@" + urlsplit(replay.url).netloc]})]
    run = harvest(MastodonConnector, source(replay), brands=brands)
    assert run.error is None and run.problems == []
    by_id = {m.id: m for m in run.mentions}
    assert set(by_id) == {mid(replay, s) for s in (ROOT, REPLY, HOOT)}
    reply, root = by_id[mid(replay, REPLY)], by_id[mid(replay, ROOT)]
    assert reply.parent_id == root.id and reply.thread_id == root.id  # parent seen in the run: no lookup
    assert root.thread_id == root.id and root.parent_id is None
    assert reply.author_is_brand and reply.brand == "Aurora" and not root.author_is_brand
    assert reply.text == "@mastodonpy_test_2 same!" and root.text == "Toot, finally!"
    assert reply.url == "http://localhost:3000/@admin/117020583258292382"
    assert reply.language == "en" and root.language == "ja"
    assert reply.published_at.isoformat() == "2026-08-01T13:53:15.910000+00:00"
    assert root.author.handle == "mastodonpy_test_2@" + urlsplit(replay.url).netloc
    assert replay.requests(f"/api/v1/statuses/{REPLY}/context") == []
    assert [m.id for m in run.mentions] == [mid(replay, s) for s in (ROOT, REPLY, HOOT)]  # oldest first
    assert run.cursor == {"tag:hoot": HOOT}


def test_first_run_walks_older_pages_by_the_link_header(replay, harvest):
    replay.route(TAG, replay.Reply(200, json.dumps(replay.load_json("mastodon", "tag_hoot_page1.json")).encode(),
                                   link(replay, next=f"max_id={ROOT}", prev=f"min_id={HOOT}")))
    replay.route(TAG, replay.Reply(200, json.dumps(replay.load_json("mastodon", "tag_hoot_page2.json")).encode(),
                                   link(replay, next=f"max_id={OLDER}")), query={"max_id": ROOT})
    replay.route(TAG, [], query={"max_id": OLDER})
    run = harvest(MastodonConnector, source(replay))
    assert run.error is None
    assert {m.native_id.split("/")[1] for m in run.mentions} == {ROOT, REPLY, HOOT, OLDER}
    assert [r.query.get("max_id") for r in replay.requests(TAG)] == [None, ROOT, OLDER]
    assert replay.requests(TAG)[0].query["limit"] == "40"
    assert run.cursor == {"tag:hoot": HOOT}


def test_the_next_run_asks_only_for_newer_statuses_and_repeats_none(replay, harvest):
    replay.route(TAG, replay.Reply(200, json.dumps(replay.load_json("mastodon", "tag_hoot.json")).encode(),
                                   link(replay, next=f"max_id={HOOT}", prev=f"min_id={HOOT}")), query={"min_id": REPLY})
    replay.route(TAG, [], query={"min_id": HOOT})
    run = harvest(MastodonConnector, source(replay), cursor={"tag:hoot": REPLY, "search": "1"})
    assert [m.id for m in run.mentions] == [mid(replay, HOOT)]
    assert [r.query.get("min_id") for r in replay.requests(TAG)] == [REPLY, HOOT]
    assert run.cursor == {"tag:hoot": HOOT, "search": "1"}  # other timelines' positions kept
    again = harvest(MastodonConnector, source(replay), cursor=run.cursor)
    assert again.mentions == [] and again.cursor == {"tag:hoot": HOOT, "search": "1"}


def test_max_items_stops_and_the_next_run_resumes_after_the_last_one_emitted(replay, harvest):
    replay.route(TAG, replay.load_json("mastodon", "tag_hoot_page1.json"))
    first = harvest(MastodonConnector, source(replay, max_items=2))
    assert [m.native_id.split("/")[1] for m in first.mentions] == [ROOT, REPLY]
    assert first.cursor == {"tag:hoot": REPLY}
    replay.route(TAG, replay.load_json("mastodon", "tag_hoot.json"), query={"min_id": REPLY})
    second = harvest(MastodonConnector, source(replay, max_items=2), cursor=first.cursor)
    assert [m.native_id.split("/")[1] for m in second.mentions] == [HOOT]


def test_a_reply_to_an_unseen_status_asks_the_context_once_within_the_budget(replay, harvest):
    replay.route("/api/v2/search", replay.load_json("mastodon", "search_statuses.json"))
    jo, greg = "116388107849695302", "116388149027005349"
    replay.route(f"/api/v1/statuses/{jo}/context", replay.load_json("mastodon", "context_thread.json"))
    run = harvest(MastodonConnector, source(replay, query="halcy", hashtags=[], max_context_lookups=1), secrets=TOKEN)
    assert run.error is None and run.problems == []
    by_id = {m.native_id.split("/")[1]: m for m in run.mentions}
    assert by_id[jo].thread_id == mid(replay, "116387850000000001")  # ancestors[0]
    assert by_id[jo].parent_id == mid(replay, "116387872475672523")
    # Budget spent: the other reply's thread falls back to its parent.
    assert by_id[greg].thread_id == by_id[greg].parent_id == mid(replay, "116387888508422624")
    assert replay.requests(f"/api/v1/statuses/{greg}/context") == []
    assert by_id[greg].author.handle == "greg@icosahedron.website" and by_id[greg].author.followers == 455
    assert by_id[jo].engagement.likes == 4 and by_id[jo].engagement.shares == 1
    searched = replay.requests("/api/v2/search")[0]
    assert searched.query["type"] == "statuses" and searched.query["q"] == "halcy"
    assert searched.headers["authorization"] == "Bearer s3cret-mastodon-token"
    assert run.cursor == {"search": greg}


def test_an_empty_or_failed_context_lookup_falls_back_to_the_parent(replay, harvest):
    replay.route("/api/v2/search", replay.load_json("mastodon", "search_statuses.json"))
    replay.route("/api/v1/statuses/116388107849695302/context", replay.load_json("mastodon", "context_empty.json"))
    replay.route("/api/v1/statuses/116388149027005349/context", replay.Reply(404, b'{"error": "Record not found"}'))
    run = harvest(MastodonConnector, source(replay, query="halcy", hashtags=[]), secrets=TOKEN)
    assert run.error is None and len(run.mentions) == 2
    assert all(m.thread_id == m.parent_id for m in run.mentions)


def test_mention_notifications_use_the_notification_id_as_cursor(replay, harvest):
    path = "/api/v1/notifications"
    replay.route(path, replay.load_json("mastodon", "notifications_mentions.json"))
    run = harvest(MastodonConnector, source(replay, hashtags=[], mentions=True), secrets=TOKEN)
    assert [m.native_id.split("/")[1] for m in run.mentions] == [OLDER]
    assert replay.requests(path)[0].query["types[]"] == "mention"
    assert run.cursor == {"mentions": "21"}
    harvest(MastodonConnector, source(replay, hashtags=[], mentions=True), cursor=run.cursor, secrets=TOKEN)
    assert replay.requests(path)[-1].query["min_id"] == "21"


def test_a_boost_stands_for_the_boosted_status(replay, harvest):
    original = replay.load_json("mastodon", "tag_hoot.json")[0]
    boost = copy.deepcopy(original) | {"id": "117020600000000000", "content": "", "reblog": original}
    replay.route(TAG, [boost])
    run = harvest(MastodonConnector, source(replay))
    assert [m.id for m in run.mentions] == [mid(replay, HOOT)]
    assert run.mentions[0].text == "#hoot (hashtag toot)"
    assert run.cursor == {"tag:hoot": "117020600000000000"}


def test_a_status_found_by_two_timelines_is_emitted_once(replay, harvest):
    replay.route(TAG, replay.load_json("mastodon", "tag_hoot_page1.json"))
    replay.route("/api/v2/search", {"statuses": replay.load_json("mastodon", "tag_hoot.json")})
    run = harvest(MastodonConnector, source(replay, query="hoot"), secrets=TOKEN)
    assert sorted(m.native_id.split("/")[1] for m in run.mentions) == sorted([ROOT, REPLY, HOOT])
    assert run.cursor == {"tag:hoot": HOOT, "search": HOOT}


def test_a_429_is_waited_out_then_the_page_is_read(replay, harvest):
    replay.route(TAG, replay.Reply(429, b'{"error": "Too many requests"}', {"Retry-After": "3"}),
                 replay.load_json("mastodon", "tag_hoot.json"))
    run = harvest(MastodonConnector, source(replay))
    assert run.waits == [3.0] and len(run.mentions) == 1


def test_refused_token_names_the_setting_and_not_the_token(replay, harvest):
    replay.route("/api/v2/search", replay.Reply(401, b'{"error": "The access token is invalid"}'))
    run = harvest(MastodonConnector, source(replay, query="aurora", hashtags=[]), secrets=TOKEN)
    assert isinstance(run.error, AuthError)
    assert "PASSAPAROLA_SECRETS__MASTODON_TOKEN" in str(run.error) and "s3cret" not in str(run.error)


def test_search_without_a_token_fails_before_asking(replay, harvest):
    run = harvest(MastodonConnector, source(replay, query="aurora"))
    assert isinstance(run.error, AuthError) and "PASSAPAROLA_SECRETS__MASTODON_TOKEN" in str(run.error)
    assert replay.requests() == []


def test_a_malformed_status_is_a_problem_and_the_rest_flows(replay, harvest):
    page = replay.load_json("mastodon", "tag_hoot_page1.json")
    page[0]["created_at"] = "yesterday"
    del page[2]["account"]
    page.append({"content": "<p>no id</p>"})
    replay.route(TAG, page)
    run = harvest(MastodonConnector, source(replay))
    assert [m.native_id.split("/")[1] for m in run.mentions] == [REPLY]
    assert len(run.problems) == 3
    assert any("no id" in p.sample for p in run.problems)
    assert run.cursor == {"tag:hoot": HOOT}  # the bad ones are not asked for again


def test_a_truncated_body_ends_the_run_with_bad_body(replay, harvest):
    replay.route(TAG, replay.load_bytes("mastodon", "tag_hoot.json")[:300])
    run = harvest(MastodonConnector, source(replay))
    assert isinstance(run.error, BadBody) and run.mentions == []


def test_a_body_of_the_wrong_shape_is_a_problem(replay, harvest):
    replay.route(TAG, {"error": "This action is not allowed"})
    run = harvest(MastodonConnector, source(replay))
    assert run.error is None and run.mentions == [] and len(run.problems) == 1


def test_a_next_page_on_another_server_is_not_followed_with_our_token(replay, elsewhere, harvest):
    page = json.dumps(replay.load_json("mastodon", "tag_hoot_page1.json")).encode()
    replay.route(TAG, replay.Reply(200, page, {"Link": f'<{elsewhere.url}{TAG}?max_id={ROOT}>; rel="next"'}))
    elsewhere.route(TAG, [])
    run = harvest(MastodonConnector, source(replay), secrets=TOKEN)
    assert elsewhere.requests() == []
    assert replay.requests(TAG)[0].headers["authorization"] == "Bearer s3cret-mastodon-token"
    assert {m.id for m in run.mentions} == {mid(replay, s) for s in (ROOT, REPLY, HOOT)}  # the first page counts
    [problem] = run.problems
    assert problem.reason == "Mastodon: next page on another server, not followed" and "?" not in problem.url
