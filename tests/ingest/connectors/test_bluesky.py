"""Bluesky connector against the replay server, with bodies built from the lexicons' shapes."""

from __future__ import annotations

import pytest

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors import bluesky
from ingest.connectors.bluesky import BlueskyConnector
from ingest.http import AuthError, BadBody

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
LOGIN = "/xrpc/com.atproto.server.createSession"
PASSWORD = Secrets(bluesky_app_password="abcd-efgh-ijkl-mnop")
BRANDS = [Brand(name="Aurora", own_accounts={"bluesky": ["@torrefazione-aurora.bsky.social"]})]
GIULIA, AURORA = "did:plc:g5ulxa3nq7wz2rkd4mefvh6t", "did:plc:a7rorq2kx4mzw5tn3bdc6yfe"
MARCO = "did:plc:m4rcbq6vz2hxn7tk5wfe3ldy"
ROOT = f"at://{GIULIA}/app.bsky.feed.post/3lj2aa1root2c"
BRAND_REPLY = f"at://{AURORA}/app.bsky.feed.post/3lj2ab2brand2c"
THANKS = f"at://{GIULIA}/app.bsky.feed.post/3lj2ac3thank2c"
NEWEST = "at://did:plc:n2axq5tfm7kz3wbe4vhd6rcl/app.bsky.feed.post/3lj2ae5milan2c"


@pytest.fixture(autouse=True)
def no_cached_sessions():
    bluesky._SESSIONS.clear()
    yield
    bluesky._SESSIONS.clear()


def source(replay, **options):
    return Source(name="bsky", kind="bluesky", url=replay.url, query='"caffè aurora" OR aurora',
                  brand="Aurora", options=options)


def logged_in(replay, **options):
    replay.route(LOGIN, replay.load_json("bluesky", "create_session.json"))
    return source(replay, handle="torrefazione-aurora.bsky.social", pds=replay.url, **{"page_size": 3, **options})


def two_pages(replay):
    replay.route(SEARCH, replay.load_json("bluesky", "search_page1.json"))
    replay.route(SEARCH, replay.load_json("bluesky", "search_page2.json"), query={"cursor": "3"})


def test_logged_in_search_pages_and_threads_the_brand_reply(replay, harvest):
    two_pages(replay)
    run = harvest(BlueskyConnector, logged_in(replay), brands=BRANDS, secrets=PASSWORD)
    assert run.error is None and run.problems == []
    by_uri = {m.native_id: m for m in run.mentions}
    assert len(by_uri) == 5
    root, brand_reply, thanks = by_uri[ROOT], by_uri[BRAND_REPLY], by_uri[THANKS]
    assert root.thread_id == root.id and root.parent_id is None
    assert brand_reply.thread_id == root.id and brand_reply.parent_id == root.id
    assert thanks.thread_id == root.id and thanks.parent_id == brand_reply.id
    assert brand_reply.author_is_brand and brand_reply.brand == "Aurora" and not thanks.author_is_brand
    assert brand_reply.url == "https://bsky.app/profile/torrefazione-aurora.bsky.social/post/3lj2ab2brand2c"
    assert thanks.text == "Fatto, grazie della risposta veloce & gentile!"
    assert root.language == "it" and root.published_at.isoformat() == "2026-03-02T08:00:00+00:00"
    assert root.engagement.likes == 1 and root.engagement.replies == 2
    assert root.author.id == GIULIA and root.author.handle == "giulia-rossi.bsky.social"
    newest = by_uri[NEWEST]  # an invalid handle: the URL names the DID; en-GB is a hint of en
    assert newest.url == "https://bsky.app/profile/did:plc:n2axq5tfm7kz3wbe4vhd6rcl/post/3lj2ae5milan2c"
    assert newest.language == "en"
    assert newest.thread_id == mention_id("bluesky", f"at://{MARCO}/app.bsky.feed.post/3lj29z9elsewh")
    assert [m.native_id for m in run.mentions][0] == ROOT and run.mentions[-1].native_id == NEWEST  # oldest first
    asked = replay.requests(SEARCH)
    assert [r.query.get("cursor") for r in asked] == [None, "3"]
    assert asked[0].query["sort"] == "latest" and "since" not in asked[0].query
    assert asked[0].headers["authorization"].startswith("Bearer eyJ")
    login = replay.requests(LOGIN)
    assert len(login) == 1 and login[0].method == "POST"
    assert run.cursor == {"since": "2026-03-02T10:15:00.000Z", "seen": [NEWEST]}


def test_the_next_run_asks_since_the_cursor_skips_the_repeat_and_reuses_the_login(replay, harvest):
    two_pages(replay)
    first = harvest(BlueskyConnector, logged_in(replay), secrets=PASSWORD)
    replay.route(SEARCH, replay.load_json("bluesky", "search_newer.json"), query={"since": first.cursor["since"]})
    second = harvest(BlueskyConnector, logged_in(replay), cursor=first.cursor, secrets=PASSWORD)
    assert [m.native_id for m in second.mentions] == [f"at://{MARCO}/app.bsky.feed.post/3lj2af6decaf2c"]
    assert replay.requests(SEARCH)[-1].query["since"] == "2026-03-02T10:15:00.000Z"
    assert second.cursor["since"] == "2026-03-02T11:00:00.000Z"
    assert len(replay.requests(LOGIN)) == 1  # the token is reused until its exp


def test_the_posts_at_the_cursor_instant_are_remembered_when_stopping_at_max_items(replay, harvest):
    two_pages(replay)
    first = harvest(BlueskyConnector, logged_in(replay, max_items=2), secrets=PASSWORD)
    assert [m.native_id for m in first.mentions] == [ROOT, BRAND_REPLY]
    replay.route(SEARCH, {"posts": replay.load_json("bluesky", "search_page1.json")["posts"]
                          + replay.load_json("bluesky", "search_page2.json")["posts"][:1]},
                 query={"since": first.cursor["since"]})
    second = harvest(BlueskyConnector, logged_in(replay, max_items=10, page_size=100), cursor=first.cursor,
                     secrets=PASSWORD)
    # The brand reply sits at the cursor's instant (since is inclusive): not emitted again.
    assert [m.native_id for m in second.mentions][0] == THANKS and len(second.mentions) == 3


def test_without_login_one_public_page_is_read_with_no_auth_header(replay, harvest):
    two_pages(replay)
    run = harvest(BlueskyConnector, source(replay))
    assert len(run.mentions) == 3 and run.problems == []
    assert len(replay.requests(SEARCH)) == 1 and "authorization" not in replay.requests(SEARCH)[0].headers
    assert replay.requests(LOGIN) == []


def test_a_gap_is_reported_when_more_posts_came_than_a_run_reads(replay, harvest):
    two_pages(replay)
    run = harvest(BlueskyConnector, source(replay, page_size=3),
                  cursor={"since": "2026-03-01T00:00:00.000Z", "seen": []})
    assert len(run.mentions) == 3
    assert len(run.problems) == 1 and "skipped" in run.problems[0].reason


def test_a_refused_login_names_the_setting_and_never_the_password(replay, harvest):
    refused = b'{"error": "AuthenticationRequired", "message": "Invalid identifier or password"}'
    replay.route(LOGIN, replay.Reply(401, refused))
    run = harvest(BlueskyConnector, source(replay, handle="torrefazione-aurora.bsky.social", pds=replay.url),
                  secrets=PASSWORD)
    assert isinstance(run.error, AuthError) and run.error.status == 401
    assert str(run.error) == (f"{replay.url}{LOGIN}: HTTP 401, not authorised, "
                              "check option handle and PASSAPAROLA_SECRETS__BLUESKY_APP_PASSWORD")
    assert replay.requests(SEARCH) == []


def test_a_login_is_retried_like_any_request(replay, harvest):
    replay.route(LOGIN, replay.Reply(503, b'{"error": "InternalServerError"}'),
                 replay.load_json("bluesky", "create_session.json"))
    replay.route(SEARCH, replay.load_json("bluesky", "search_page2.json"))
    run = harvest(BlueskyConnector, source(replay, handle="torrefazione-aurora.bsky.social", pds=replay.url),
                  secrets=PASSWORD)
    assert run.error is None and len(run.mentions) == 2 and len(run.waits) == 1
    assert [r.method for r in replay.requests(LOGIN)] == ["POST", "POST"]


def test_a_public_403_names_the_setting_that_would_help(replay, harvest):
    replay.route(SEARCH, replay.Reply(403, b'{"error": "Forbidden"}'))
    run = harvest(BlueskyConnector, source(replay))
    assert isinstance(run.error, AuthError) and "PASSAPAROLA_SECRETS__BLUESKY_APP_PASSWORD" in str(run.error)


def test_a_handle_without_password_is_an_auth_error(replay, harvest):
    run = harvest(BlueskyConnector, source(replay, handle="torrefazione-aurora.bsky.social"))
    assert isinstance(run.error, AuthError) and replay.requests() == []


def test_a_429_is_waited_out(replay, harvest):
    replay.route(SEARCH, replay.Reply(429, b'{"error": "RateLimitExceeded"}', {"Retry-After": "5"}),
                 replay.load_json("bluesky", "search_page2.json"))
    run = harvest(BlueskyConnector, source(replay))
    assert run.waits == [5.0] and len(run.mentions) == 2


def test_a_malformed_post_is_a_problem_and_the_rest_flows(replay, harvest):
    page = replay.load_json("bluesky", "search_page2.json")
    page["posts"][0]["record"]["createdAt"] = "not a date"
    page["posts"].append({"uri": "at://did:plc:x/app.bsky.feed.post/3lj2zz", "cid": "bafy"})  # no author, no record
    page["posts"].append("not an object")
    replay.route(SEARCH, page)
    run = harvest(BlueskyConnector, source(replay))
    assert [m.native_id for m in run.mentions] == [ROOT]
    assert len(run.problems) == 3


def test_a_truncated_body_ends_the_run_with_bad_body(replay, harvest):
    replay.route(SEARCH, replay.load_bytes("bluesky", "search_page1.json")[:400])
    run = harvest(BlueskyConnector, source(replay))
    assert isinstance(run.error, BadBody) and run.mentions == []


def test_a_body_without_posts_is_a_problem(replay, harvest):
    replay.route(SEARCH, {"error": "BadQueryString", "message": "q is required"})
    run = harvest(BlueskyConnector, source(replay))
    assert run.error is None and run.mentions == [] and len(run.problems) == 1
