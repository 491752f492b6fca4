"""FacebookConnector against the replay server, with Graph API bodies built from the documentation."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest

from core.schema import mention_id
from core.settings import Brand, ConfigError, Secrets, Source
from ingest.connectors.facebook import FacebookConnector
from ingest.http import AuthError, BadBody, HttpProblem

PAGE = "104857600012345"
P1, P2 = f"{PAGE}_7311100000000001", f"{PAGE}_7311112223334445"
POSTS = f"/v19.0/{PAGE}/posts"
COMMENTS = f"/v19.0/{P2}/comments"
AFTER_PAGE1, AFTER_PAGE2 = "WTI5dGJXVnVkRjlqZAFhKemIzSTZANemN5", "WTI5dGJXVnVkRjlqZAFhKemIzSTZANemN7"
C1, C2, C3, C4 = (f"7311112223334445_88110000000000{i}" for i in range(1, 5))
TOKEN = "EAAG-SECRET-TOKEN"
AUTH_HINT = "PASSAPAROLA_SECRETS__FACEBOOK_TOKEN"
SECRETS = Secrets(facebook_token=TOKEN)
BRANDS = [Brand(name="aurora", own_accounts={"facebook": [PAGE]})]


def _source(replay, **options) -> Source:
    return Source(name="fb-aurora", kind="facebook", url=replay.url, brand="aurora",
                  options={"page_id": PAGE, **options})


def _serve(replay) -> None:
    replay.route(POSTS, replay.load_json("facebook", "page_posts.json"))
    replay.route(COMMENTS, replay.load_json("facebook", "post_comments_page1.json"))
    replay.route(COMMENTS, replay.load_json("facebook", "post_comments_page2.json"), query={"after": AFTER_PAGE1})


def test_posts_and_comments_become_threads_with_the_page_replies_marked(replay, harvest):
    _serve(replay)
    run = harvest(FacebookConnector, _source(replay), secrets=SECRETS)
    assert run.error is None and not run.problems
    assert [m.native_id for m in run.mentions] == [P1, P2, C1, C2, C3, C4]  # older post first
    found = {m.native_id: m for m in run.mentions}
    post, complaint, answer, me_too, praise = found[P2], found[C1], found[C2], found[C3], found[C4]

    assert post.thread_id == post.id and post.parent_id is None and post.author_is_brand
    for comment in (complaint, answer, me_too, praise):
        assert comment.thread_id == post.id
    assert complaint.parent_id == post.id and praise.parent_id == post.id
    assert answer.parent_id == complaint.id == mention_id("facebook", C1) and me_too.parent_id == complaint.id
    assert answer.author_is_brand and answer.brand == "aurora" and answer.author.id == PAGE
    assert not complaint.author_is_brand and complaint.author.name == "Sara Bianchi"
    assert complaint.published_at == datetime(2024, 3, 4, 10, 15, 22, tzinfo=timezone.utc)
    assert complaint.url.endswith("?comment_id=881100000000001")
    assert (complaint.engagement.likes, complaint.engagement.replies) == (2, 2)
    assert (post.engagement.likes, post.engagement.shares, post.engagement.replies) == (41, 3, 3)
    assert "miscela" in complaint.text

    asked = replay.requests(COMMENTS)
    assert [r.query.get("after") for r in asked] == [None, AFTER_PAGE1]
    assert all(r.query["filter"] == "stream" and r.query["order"] == "chronological" for r in asked)
    assert asked[0].headers["authorization"] == f"Bearer {TOKEN}" and "access_token" not in asked[0].query
    assert not replay.requests(f"/v19.0/{P1}/comments")  # its summary says 0 comments
    assert run.cursor["posts_since"] == "2024-03-04T09:00:00+0000"
    assert run.cursor["posts"][P2]["after"] == AFTER_PAGE2


def test_the_next_run_reads_only_new_posts_and_comments_after_the_saved_cursor(replay, harvest):
    _serve(replay)
    first = harvest(FacebookConnector, _source(replay), secrets=SECRETS)
    posts = replay.load_json("facebook", "page_posts.json")
    new_post = copy.deepcopy(posts["data"][1])
    new_post.update(id=f"{PAGE}_7311199999999999", created_time="2024-03-06T08:00:00+0000")
    posts["data"].insert(0, new_post)
    replay.route(POSTS, posts)
    late = copy.deepcopy(replay.load_json("facebook", "post_comments_page2.json"))
    late_id = "7311112223334445_881100000000009"
    late["data"] = [dict(late["data"][1], id=late_id, created_time="2024-03-05T07:00:00+0000")]
    replay.route(COMMENTS, late, query={"after": AFTER_PAGE2})

    second = harvest(FacebookConnector, _source(replay), cursor=first.cursor, secrets=SECRETS)
    assert [m.native_id for m in second.mentions] == [new_post["id"], late_id]
    assert replay.requests(COMMENTS)[-1].query["after"] == AFTER_PAGE2
    assert second.cursor["posts_since"] == "2024-03-06T08:00:00+0000"


def test_a_run_stopped_at_max_items_resumes_without_repeats(replay, harvest):
    _serve(replay)
    first = harvest(FacebookConnector, _source(replay, max_items=3), secrets=SECRETS)
    assert [m.native_id for m in first.mentions] == [P1, P2, C1]
    assert first.cursor["posts"][P2] == {"time": "2024-03-04T10:15:22+00:00", "ids": [C1]}

    second = harvest(FacebookConnector, _source(replay), cursor=first.cursor, secrets=SECRETS)
    assert [m.native_id for m in second.mentions] == [C2, C3, C4]  # page 1 re-read, C1 not repeated


def test_a_rate_limit_is_waited_out(replay, harvest):
    _serve(replay)
    replay.route(COMMENTS, replay.Reply(429, b'{"error": {"code": 4}}', {"Retry-After": "2"}),
                 replay.load_json("facebook", "post_comments_page2.json"))
    run = harvest(FacebookConnector, _source(replay), secrets=SECRETS)
    assert run.waits == [2.0] and len(run.mentions) == 4


def _failing(replay, harvest, status, body):
    replay.route(POSTS, replay.Reply(status, body))
    return harvest(FacebookConnector, _source(replay), secrets=SECRETS)


def test_a_refused_token_gives_a_clear_message_without_the_token(replay, harvest):
    run = _failing(replay, harvest, 400, replay.load_bytes("facebook", "error_expired_token.json"))
    assert isinstance(run.error, AuthError) and run.error.status == 400
    assert str(run.error) == (f"{replay.url}{POSTS}: HTTP 400, Graph API error 190/463 (OAuthException): "
                              f"the token has expired or is invalid; check {AUTH_HINT}")
    # A malformed token is quoted in the Graph API's message: a token error's message is left out.
    quoted = {"error": {"message": f"Malformed access token {TOKEN}", "type": "OAuthException", "code": 190}}
    run = _failing(replay, harvest, 400, json.dumps(quoted).encode())
    assert isinstance(run.error, AuthError) and TOKEN not in str(run.error) and "Graph API error 190" in str(run.error)

    session = {"error": {"message": "Error validating access token: the session is invalid.", "type": "OAuthException",
                         "code": 102}}
    run = _failing(replay, harvest, 401, json.dumps(session).encode())
    assert isinstance(run.error, AuthError) and "Graph API error 102" in str(run.error) and AUTH_HINT in str(run.error)

    run = harvest(FacebookConnector, _source(replay), secrets=Secrets())
    assert isinstance(run.error, AuthError) and AUTH_HINT in str(run.error)


def test_a_missing_permission_is_an_auth_error_naming_it(replay, harvest):
    run = _failing(replay, harvest, 403, replay.load_bytes("facebook", "error_permission.json"))
    assert isinstance(run.error, AuthError)
    assert str(run.error) == (f"{replay.url}{POSTS}: HTTP 403, Graph API error 10 (OAuthException): (#10) This "
                              "endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content "
                              f"Access' feature.; check {AUTH_HINT}")


@pytest.mark.parametrize("status, fixture, said", [
    (403, "error_rate_limit.json", "Graph API error 4 (OAuthException): (#4) Application request limit reached"),
    (400, "error_unknown_object.json", "Graph API error 100/33 (GraphMethodException): Unsupported get request. "
                                       "Object with ID '104857600099999' does not exist"),
])
def test_other_graph_errors_end_the_run_with_their_message_not_as_auth_errors(replay, harvest, status, fixture, said):
    run = _failing(replay, harvest, status, replay.load_bytes("facebook", fixture))
    assert type(run.error) is HttpProblem and run.error.status == status
    assert str(run.error).startswith(f"{replay.url}{POSTS}: HTTP {status}, {said}") and AUTH_HINT not in str(run.error)


def test_an_error_without_a_graph_error_object_is_the_http_error(replay, harvest):
    run = _failing(replay, harvest, 400, b"<html>Bad Request</html>")
    assert type(run.error) is HttpProblem and str(run.error) == f"{replay.url}{POSTS}: HTTP 400"
    run = _failing(replay, harvest, 401, b'{"error": "not an object"}')
    assert isinstance(run.error, AuthError) and AUTH_HINT in str(run.error)


def test_an_error_object_in_a_200_body_ends_the_run_with_its_message(replay, harvest):
    replay.route(POSTS, {"error": {"message": "Unsupported get request.", "type": "GraphMethodException", "code": 100}})
    run = harvest(FacebookConnector, _source(replay), secrets=SECRETS)
    assert type(run.error) is HttpProblem and "Unsupported get request" in str(run.error)
    assert str(run.error).startswith(f"{replay.url}{POSTS}: Graph API error 100 (GraphMethodException): ")


def test_page_id_is_required(replay, harvest):
    with pytest.raises(ConfigError, match="page_id"):
        harvest(FacebookConnector, Source(name="fb", kind="facebook", url=replay.url), secrets=SECRETS)


def test_malformed_posts_and_comments_become_problems_and_the_rest_flows(replay, harvest):
    posts = replay.load_json("facebook", "page_posts.json")
    posts["data"].append({"message": "no id", "created_time": "2024-03-01T00:00:00+0000"})
    replay.route(POSTS, posts)
    comments = replay.load_json("facebook", "post_comments_page2.json")
    comments["data"] += [{"id": "x_1", "message": "bad date", "created_time": "ieri"}, "not an object",
                         {"message": "no id", "created_time": "2024-03-05T00:00:00+0000"}]
    replay.route(COMMENTS, comments)
    run = harvest(FacebookConnector, _source(replay), secrets=SECRETS)
    assert [m.native_id for m in run.mentions] == [P1, P2, C3, C4]
    assert len(run.problems) == 4 and all(p.sample for p in run.problems)
    assert any("ieri" in p.reason for p in run.problems)


def test_a_truncated_body_ends_the_run_after_the_last_checkpoint(replay, harvest):
    replay.route(POSTS, replay.load_json("facebook", "page_posts.json"))
    body = json.dumps(replay.load_json("facebook", "post_comments_page1.json")).encode()
    replay.route(COMMENTS, body[:-40])
    run = harvest(FacebookConnector, _source(replay), secrets=SECRETS)
    assert isinstance(run.error, BadBody)
    assert [m.native_id for m in run.mentions] == [P1, P2]
    assert run.cursor["posts_since"] == "2024-03-04T09:00:00+0000" and P2 not in run.cursor["posts"]
