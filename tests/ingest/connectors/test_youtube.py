"""YouTubeConnector against the replay server, with Data API bodies built from the documentation."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from core.schema import mention_id
from core.settings import Brand, Secrets, Source
from ingest.connectors.youtube import YouTubeConnector
from ingest.http import AuthError, BadBody, HttpProblem

THREADS, COMMENTS = "/youtube/v3/commentThreads", "/youtube/v3/comments"
VID, CHANNEL = "Au7oRaCaFfe", "UCaUr0raCaffeUfficiale01"
A, B, C = "UgxA1uroraQuestion4AaABAg", "UgyB2uroraComplaint4AaABAg", "UgzC3uroraPraise04AaABAg"
A_OWNER = f"{A}.9zOwnerAnswer01"
B_GIO, B_OWNER, B_ELE = f"{B}.9zReplyGio00001", f"{B}.9zOwnerAnswer02", f"{B}.9zReplyEle00001"
PAGE2 = "QURTSl9pM3hBdXJvcmFQYWdlMg=="
KEY = "AIza-SECRET-KEY"
AUTH_HINT = "PASSAPAROLA_SECRETS__YOUTUBE_API_KEY"
SECRETS = Secrets(youtube_api_key=KEY)


def _source(replay, **options) -> Source:
    return Source(name="yt-aurora", kind="youtube", url=f"{replay.url}/youtube/v3", brand="aurora",
                  options={"video_ids": [VID], **options})


def _serve(replay) -> None:
    replay.route(THREADS, replay.load_json("youtube", "comment_threads_page1.json"))
    replay.route(THREADS, replay.load_json("youtube", "comment_threads_page2.json"), query={"pageToken": PAGE2})
    replay.route(COMMENTS, replay.load_json("youtube", "comments_replies.json"), query={"parentId": B})


def test_threads_pair_replies_with_the_top_level_comment_and_mark_the_owner(replay, harvest):
    _serve(replay)
    run = harvest(YouTubeConnector, _source(replay), secrets=SECRETS)
    assert run.error is None and not run.problems
    assert [m.native_id for m in run.mentions] == [A, A_OWNER, B, B_GIO, B_OWNER, B_ELE, C]
    found = {m.native_id: m for m in run.mentions}
    question, answer, complaint = found[A], found[A_OWNER], found[B]

    assert question.thread_id == question.id and question.parent_id is None
    assert answer.thread_id == question.id and answer.parent_id == question.id == mention_id("youtube", A)
    for reply in (B_GIO, B_OWNER, B_ELE):  # two of them only from comments?parentId=
        assert found[reply].thread_id == found[reply].parent_id == complaint.id
    assert answer.author_is_brand and found[B_OWNER].author_is_brand and answer.brand == "aurora"
    assert not question.author_is_brand and question.author.id == "UCLaura0000000000000001a"
    assert question.author.handle == "LauraMoka" and question.author.name == "@LauraMoka"

    assert answer.text == "Ciao Laura, la garanzia è di 24 mesi & copre anche la pompa."  # textOriginal wins
    assert found[B_ELE].text == "Stesso problema, risolto rifacendo la decalcificazione."  # textDisplay, cleaned
    assert question.url == f"https://www.youtube.com/watch?v={VID}&lc={A}"
    assert question.published_at == datetime(2024, 3, 5, 18, 0, tzinfo=timezone.utc)
    assert (complaint.engagement.likes, complaint.engagement.replies) == (9, 3)

    first = replay.requests(THREADS)[0].query
    assert first["videoId"] == VID and first["order"] == "time" and first["part"] == "snippet,replies"
    assert first["key"] == KEY and "pageToken" not in first
    assert replay.requests(THREADS)[1].query["pageToken"] == PAGE2
    assert [r.query["parentId"] for r in replay.requests(COMMENTS)] == [B]
    assert run.cursor == {f"video:{VID}": {"since": "2024-03-05T19:10:00+00:00"}}


def test_the_next_run_stops_at_seen_threads_and_emits_only_newer_comments(replay, harvest):
    _serve(replay)
    first = harvest(YouTubeConnector, _source(replay), secrets=SECRETS)
    page = replay.load_json("youtube", "comment_threads_page1.json")
    fresh = copy.deepcopy(page["items"][1])
    fresh["id"] = fresh["snippet"]["topLevelComment"]["id"] = "UgwD4uroraNewOne004AaABAg"
    fresh["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = "2024-03-06T09:00:00Z"
    fresh.pop("replies")
    fresh["snippet"]["totalReplyCount"] = 0
    late_answer = copy.deepcopy(page["items"][0]["replies"]["comments"][0])
    late_answer["id"] = f"{A}.9zOwnerFollowUp"
    late_answer["snippet"]["publishedAt"] = "2024-03-06T08:00:00Z"
    page["items"][0]["replies"]["comments"].append(late_answer)
    page["items"][0]["snippet"]["totalReplyCount"] = 2
    page["items"].insert(0, fresh)
    replay.route(THREADS, page)
    before = len(replay.requests(THREADS))

    second = harvest(YouTubeConnector, _source(replay), cursor=first.cursor, secrets=SECRETS)
    assert [m.native_id for m in second.mentions] == ["UgwD4uroraNewOne004AaABAg", late_answer["id"]]
    assert second.mentions[1].parent_id == mention_id("youtube", A) and second.mentions[1].author_is_brand
    assert len(replay.requests(THREADS)) == before + 1  # page 1 reached seen threads: page 2 not read
    assert second.cursor == {f"video:{VID}": {"since": "2024-03-06T09:00:00+00:00"}}


def test_a_run_stopped_at_max_items_resumes_on_the_same_page_without_repeats(replay, harvest):
    _serve(replay)
    first = harvest(YouTubeConnector, _source(replay, max_items=1), secrets=SECRETS)
    assert [m.native_id for m in first.mentions] == [A, A_OWNER]  # a thread is not split
    scan = first.cursor[f"video:{VID}"]["scan"]
    assert scan["done"] == [A] and scan["page"] is None and "since" not in first.cursor[f"video:{VID}"]

    second = harvest(YouTubeConnector, _source(replay), cursor=first.cursor, secrets=SECRETS)
    assert [m.native_id for m in second.mentions] == [B, B_GIO, B_OWNER, B_ELE, C]
    assert second.cursor == {f"video:{VID}": {"since": "2024-03-05T19:10:00+00:00"}}


def test_a_channel_scope_uses_the_channel_as_owner_and_repeats_nothing(replay, harvest):
    _serve(replay)
    source = _source(replay, channel_id=CHANNEL, max_reply_fetches=0)
    run = harvest(YouTubeConnector, source, brands=[Brand(name="aurora")], secrets=SECRETS)
    assert [m.native_id for m in run.mentions] == [A, A_OWNER, B, B_GIO, C]  # the channel pass adds nothing new
    assert [r.query.get("allThreadsRelatedToChannelId") for r in replay.requests(THREADS)][-1] == CHANNEL
    assert not replay.requests(COMMENTS)  # max_reply_fetches=0
    assert set(run.cursor) == {f"video:{VID}", f"channel:{CHANNEL}"}


def test_a_rate_limit_is_waited_out(replay, harvest):
    replay.route(THREADS, replay.Reply(429, b"{}", {"Retry-After": "4"}),
                 replay.load_json("youtube", "comment_threads_page2.json"))
    run = harvest(YouTubeConnector, _source(replay), secrets=SECRETS)
    assert run.waits == [4.0] and [m.native_id for m in run.mentions] == [C]


def _failing(replay, harvest, status, body):
    replay.route(THREADS, replay.Reply(status, body))
    return harvest(YouTubeConnector, _source(replay), secrets=SECRETS)


@pytest.mark.parametrize("status, fixture, reason, meaning", [
    (400, "error_key_invalid.json", "keyInvalid", "the API key is not valid"),
    (400, "error_api_key_invalid.json", "API_KEY_INVALID", "the API key is not valid"),  # errors[0] says badRequest
    (403, "error_access_not_configured.json", "accessNotConfigured",
     "the YouTube Data API is not enabled in the key's Google Cloud project"),
])
def test_a_key_at_fault_is_an_auth_error_naming_the_reason_and_the_setting_not_the_key(
        replay, harvest, status, fixture, reason, meaning):
    run = _failing(replay, harvest, status, replay.load_bytes("youtube", fixture))
    assert isinstance(run.error, AuthError)
    assert str(run.error) == f"YouTube video:{VID}: HTTP {status} {reason}: {meaning}; check {AUTH_HINT}"
    assert run.error.status == status and KEY not in str(run.error)


def test_a_spent_quota_is_said_so_and_not_blamed_on_the_key(replay, harvest):
    run = _failing(replay, harvest, 403, replay.load_bytes("youtube", "error_quota_exceeded.json"))
    assert type(run.error) is HttpProblem and len(run.problems) == 1
    assert str(run.error) == (f"YouTube video:{VID}: HTTP 403 quotaExceeded: "
                              "the key's daily quota is spent (reset at midnight Pacific time)")


def test_without_a_reason_in_the_body_the_status_says_what_it_may_be(replay, harvest):
    run = _failing(replay, harvest, 401, b'{"error": {"code": 401}}')
    assert isinstance(run.error, AuthError)
    assert str(run.error) == f"YouTube video:{VID}: HTTP 401: the API key was refused; check {AUTH_HINT}"
    run = _failing(replay, harvest, 403, b"<html>403 Forbidden</html>")  # not JSON: tolerated
    assert str(run.error) == (f"YouTube video:{VID}: HTTP 403: a refused key, a spent quota or comments turned off; "
                              f"check {AUTH_HINT}")
    run = _failing(replay, harvest, 404, b'{"error": {"code": 404, "errors": [{"reason": "videoNotFound"}]}}')
    assert type(run.error) is HttpProblem
    assert str(run.error) == f"YouTube video:{VID}: HTTP 404 videoNotFound: no such video or channel"
    run = harvest(YouTubeConnector, _source(replay), secrets=Secrets())
    assert isinstance(run.error, AuthError) and AUTH_HINT in str(run.error) and not replay.requests(COMMENTS)


def test_one_failing_video_is_a_problem_and_the_others_go_on(replay, harvest):
    _serve(replay)
    replay.route(THREADS, replay.Reply(403, replay.load_bytes("youtube", "error_comments_disabled.json")),
                 query={"videoId": "NoComments1"})
    run = harvest(YouTubeConnector, _source(replay, video_ids="NoComments1, " + VID), secrets=SECRETS)
    assert run.error is None and len(run.mentions) == 7
    assert len(run.problems) == 1
    reason = run.problems[0].reason
    assert reason == "YouTube video:NoComments1: HTTP 403 commentsDisabled: the video has its comments turned off"


def test_malformed_threads_and_comments_become_problems_and_the_rest_flows(replay, harvest):
    page = replay.load_json("youtube", "comment_threads_page2.json")
    broken = copy.deepcopy(page["items"][0])
    broken["id"] = broken["snippet"]["topLevelComment"]["id"] = "UgBadDate"
    broken["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = "ieri sera"
    page["items"] += [{"id": "UgNoSnippet", "kind": "youtube#commentThread"}, broken, 42]
    replay.route(THREADS, page)
    run = harvest(YouTubeConnector, _source(replay), secrets=SECRETS)
    assert [m.native_id for m in run.mentions] == [C]
    assert len(run.problems) == 3 and any("ieri sera" in p.reason for p in run.problems)
    assert run.cursor == {f"video:{VID}": {"since": "2024-03-04T09:00:00+00:00"}}


def test_a_truncated_or_unexpected_body_ends_the_run_cleanly(replay, harvest):
    body = replay.load_bytes("youtube", "comment_threads_page1.json")
    replay.route(THREADS, body[: len(body) // 3])
    run = harvest(YouTubeConnector, _source(replay), secrets=SECRETS)
    assert isinstance(run.error, BadBody) and not run.mentions and len(run.problems) == 1

    replay.route(THREADS, {"kind": "youtube#somethingElse"})
    run = harvest(YouTubeConnector, _source(replay), secrets=SECRETS)
    assert isinstance(run.error, HttpProblem) and "no items" in str(run.error) and not run.mentions

