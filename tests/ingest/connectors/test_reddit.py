"""Reddit connector against the replay server, with real bodies from praw's cassettes."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors import reddit
from ingest.connectors.reddit import RedditConnector
from ingest.http import AuthError, BadBody

SECRET = Secrets(reddit_client_secret="app-s3cret")
BRANDS = [Brand(name="Bone", own_accounts={"reddit": ["StanGibson18"]})]
AMA, FUNNY = "/comments/57dw9a", "/comments/3hahrw"
AMA_UTC = 1476408093.0


@pytest.fixture(autouse=True)
def no_cached_tokens():
    reddit._TOKENS.clear()
    yield
    reddit._TOKENS.clear()


def source(replay, **options):
    # The recordings are from 2016: watch their threads as if they were recent.
    options = {"client_id": "passaparola-test", "token_url": replay.url + "/api/v1/access_token",
               "watch_days": 100_000, **options}
    return Source(name="rdt", kind="reddit", url=replay.url, query="ken bone", brand="Bone", options=options)


def serve_all(replay):
    replay.route("/api/v1/access_token", replay.load_json("reddit", "access_token.json"))
    replay.route("/search", replay.load_json("reddit", "search_page1.json"))
    replay.route("/search", replay.load_json("reddit", "search_page2.json"), query={"after": "t3_57dw9a"})
    replay.route(AMA, replay.load_json("reddit", "comments_57dw9a.json"))
    replay.route(FUNNY, replay.load_json("reddit", "comments_3hahrw.json"))


def rid(fullname):
    return mention_id("reddit", fullname)


def test_submissions_and_their_comment_trees_become_threaded_mentions(replay, harvest):
    serve_all(replay)
    run = harvest(RedditConnector, source(replay), brands=BRANDS, secrets=SECRET)
    assert run.error is None and run.problems == []
    by_name = {m.native_id: m for m in run.mentions}
    # 2 submissions; 35 - 5 deleted comments of the AMA; 19 comments of the other (more: skipped).
    assert len(run.mentions) == 2 + 30 + 19
    assert not any(m.text in ("[deleted]", "[removed]") for m in run.mentions)
    post, question, answer = by_name["t3_57dw9a"], by_name["t1_d8r4im1"], by_name["t1_d8r79x6"]
    assert post.thread_id == post.id and post.parent_id is None
    assert post.title.startswith("I’m American citizen") and post.text.startswith("Hello Reddit,")
    assert post.url == "https://www.reddit.com/r/IAmA/comments/57dw9a/im_american_citizen_undecided_voter_loving/"
    assert post.engagement.likes == 113566 and post.engagement.replies == 16697
    assert post.author_is_brand and post.brand == "Bone"
    assert question.parent_id == post.id and question.thread_id == post.id and not question.author_is_brand
    assert answer.parent_id == question.id and answer.thread_id == post.id and answer.author_is_brand
    assert answer.url == "https://www.reddit.com/r/IAmA/comments/57dw9a/_/d8r79x6/"
    assert answer.published_at.isoformat() == "2016-10-14T02:24:34+00:00"
    assert answer.engagement.likes == 6648 and answer.engagement.replies == 2  # direct replies in the tree
    assert answer.text.startswith("Too many weird, wild things to count.")
    link_post = by_name["t3_3hahrw"]  # a link submission: no selftext, the title is the text
    assert link_post.text == link_post.title
    orphan = by_name["t1_d8rds90"]  # answers a deleted comment: still paired by id
    assert orphan.parent_id == rid("t1_d8rbuag")
    assert by_name["t1_d8r8zew"].author.handle == "[deleted]"  # account gone, words kept
    # Oldest first within each part: submissions, then each thread's comments.
    assert [m.native_id for m in run.mentions[:2]] == ["t3_3hahrw", "t3_57dw9a"]
    ama = [m.published_at for m in run.mentions if m.thread_id == post.id and m.id != post.id]
    assert ama == sorted(ama)
    asked = replay.requests("/search")
    assert [r.query.get("after") for r in asked] == [None, "t3_57dw9a"]
    assert asked[0].query["sort"] == "new" and asked[0].query["raw_json"] == "1"
    assert asked[0].headers["authorization"] == "bearer <ACCESS_TOKEN>"
    grant = replay.requests("/api/v1/access_token")
    assert len(grant) == 1 and grant[0].method == "POST"
    assert grant[0].headers["authorization"] == "Basic " + base64.b64encode(b"passaparola-test:app-s3cret").decode()
    assert replay.requests(AMA)[0].query["sort"] == "new"
    assert run.cursor["utc"] == AMA_UTC and run.cursor["seen"] == ["t3_57dw9a"]
    assert run.cursor["threads"]["t3_57dw9a"] == [AMA_UTC, 1478750503.0]


def test_the_next_run_emits_only_what_is_new_in_the_watched_threads(replay, harvest):
    serve_all(replay)
    first = harvest(RedditConnector, source(replay), secrets=SECRET)
    tree = replay.load_json("reddit", "comments_57dw9a.json")
    reply = copy.deepcopy(tree[1]["data"]["children"][0])
    reply["data"].update(id="zz00new", name="t1_zz00new", parent_id="t1_d8r4im1", created_utc=1478800000.0,
                         body="Una risposta arrivata dopo.", replies="")
    tree[1]["data"]["children"][0]["data"]["replies"]["data"]["children"].append(reply)
    replay.route(AMA, tree)
    second = harvest(RedditConnector, source(replay), cursor=first.cursor, secrets=SECRET)
    assert [m.native_id for m in second.mentions] == ["t1_zz00new"]
    assert second.mentions[0].parent_id == rid("t1_d8r4im1") and second.mentions[0].thread_id == rid("t3_57dw9a")
    assert len(replay.requests("/api/v1/access_token")) == 1  # the token is reused while valid
    third = harvest(RedditConnector, source(replay), cursor=second.cursor, secrets=SECRET)
    assert third.mentions == []


def test_max_items_stops_and_the_next_run_resumes(replay, harvest):
    serve_all(replay)
    first = harvest(RedditConnector, source(replay, max_items=10), secrets=SECRET)
    second = harvest(RedditConnector, source(replay, max_items=1000), cursor=first.cursor, secrets=SECRET)
    assert len(first.mentions) == 10 and len(second.mentions) == 51 - 10
    assert not {m.id for m in first.mentions} & {m.id for m in second.mentions}


def test_comment_trees_are_bounded(replay, harvest):
    serve_all(replay)
    run = harvest(RedditConnector, source(replay, max_comment_trees=1), secrets=SECRET)
    assert len(replay.requests(AMA)) == 1 and replay.requests(FUNNY) == []  # the newest thread only
    assert list(run.cursor["threads"]) == ["t3_57dw9a"]


def test_a_ready_bearer_token_is_used_as_is(replay, harvest):
    serve_all(replay)
    run = harvest(RedditConnector, source(replay, client_id=None), secrets=SECRET)
    assert run.error is None
    assert replay.requests("/search")[0].headers["authorization"] == "bearer app-s3cret"
    assert replay.requests("/api/v1/access_token") == []


def test_a_refused_grant_names_the_setting_and_never_the_secret(replay, harvest):
    replay.route("/api/v1/access_token", replay.Reply(401, b'{"message": "Unauthorized", "error": 401}'))
    run = harvest(RedditConnector, source(replay), secrets=SECRET)
    assert isinstance(run.error, AuthError) and run.error.status == 401
    assert str(run.error) == (f"{replay.url}/api/v1/access_token: HTTP 401, not authorised, "
                              "check option client_id and PASSAPAROLA_SECRETS__REDDIT_CLIENT_SECRET")
    assert replay.requests("/search") == []


def test_a_refused_bearer_token_names_the_setting(replay, harvest):
    replay.route("/search", replay.Reply(401, b'{"message": "Unauthorized", "error": 401}'))
    run = harvest(RedditConnector, source(replay, client_id=None), secrets=SECRET)
    assert isinstance(run.error, AuthError) and "PASSAPAROLA_SECRETS__REDDIT_CLIENT_SECRET" in str(run.error)
    assert "s3cret" not in str(run.error)


def test_a_429_is_waited_out(replay, harvest):
    serve_all(replay)
    replay.route("/search", replay.Reply(429, b'{"message": "Too Many Requests", "error": 429}', {"Retry-After": "4"}),
                 replay.load_json("reddit", "search_page1.json"))
    run = harvest(RedditConnector, source(replay, max_pages=1), secrets=SECRET)
    assert run.waits == [4.0] and run.error is None and len(run.mentions) == 1 + 30


def test_malformed_items_are_problems_and_the_rest_flows(replay, harvest):
    serve_all(replay)
    page = replay.load_json("reddit", "search_page1.json")
    broken = copy.deepcopy(page["data"]["children"][0])
    del broken["data"]["created_utc"]
    page["data"]["children"].append(broken)
    page["data"]["children"].append({"kind": "t5", "data": {"display_name": "IAmA"}})
    page["data"]["after"] = None
    replay.route("/search", page)
    tree = replay.load_json("reddit", "comments_57dw9a.json")
    tree[1]["data"]["children"][0]["data"]["created_utc"] = "yesterday"
    replay.route(AMA, tree)
    run = harvest(RedditConnector, source(replay), secrets=SECRET)
    assert run.error is None and len(run.problems) == 3
    assert len(run.mentions) == 1 + 30 - 1  # only the broken comment is missing; its replies still flow
    assert "t1_d8r79x6" in {m.native_id for m in run.mentions}


def test_a_truncated_search_body_ends_the_run_with_bad_body(replay, harvest):
    serve_all(replay)
    replay.route("/search", replay.load_bytes("reddit", "search_page1.json")[:500])
    run = harvest(RedditConnector, source(replay), secrets=SECRET)
    assert isinstance(run.error, BadBody) and run.mentions == []


def test_an_unreadable_tree_is_a_problem_and_the_other_threads_flow(replay, harvest):
    serve_all(replay)
    replay.route(AMA, replay.load_bytes("reddit", "comments_57dw9a.json")[:1000])
    replay.route(FUNNY, replay.Reply(404, b'{"message": "Not Found", "error": 404}'))
    run = harvest(RedditConnector, source(replay), secrets=SECRET)
    assert run.error is None and len(run.mentions) == 2 and len(run.problems) == 2
    assert all(p.reason.startswith("Reddit: comment tree not read") for p in run.problems)
    assert '"Not Found"' in run.problems[-1].sample  # the start of the error response


def test_a_body_of_the_wrong_shape_is_a_problem(replay, harvest):
    serve_all(replay)
    replay.route("/search", json.dumps({"message": "Forbidden", "reason": "private"}))
    run = harvest(RedditConnector, source(replay), secrets=SECRET)
    assert run.error is None and run.mentions == [] and len(run.problems) == 1
