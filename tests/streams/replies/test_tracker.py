"""The reply tracker's rules, and its pairing checked against two ground truths: real
customer-support threads (../shared twcs_sample.csv) and the demo stream's own truth."""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta, timezone

import pytest

from core.schema import Author, Mention, mention_id
from core.settings import Brand, ReplySettings
from streams.replies.tracker import ReplyTracker, empty_state

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Rome
BRAND = Brand(name="aurora", own_accounts={"x": ["@AuroraCaffe"]})


def tweet(n: str, text: str, *, minutes: float = 0, brand_author: bool = False, parent: str | None = None,
          thread: str | None = None, intent: str | None = "other") -> Mention:
    return Mention(platform="x", native_id=n, source="t", brand="aurora", text=text, intent=None if brand_author else intent,
                   author=Author(id="AuroraCaffe" if brand_author else f"user{n}",
                                 handle="AuroraCaffe" if brand_author else f"u{n}"),
                   author_is_brand=brand_author, parent_id=mention_id("x", parent) if parent else None,
                   thread_id=mention_id("x", thread or parent or n), published_at=T0 + timedelta(minutes=minutes))


@pytest.fixture
def tracker() -> ReplyTracker:
    return ReplyTracker(ReplySettings(), [BRAND])


def feed(tracker: ReplyTracker, *mentions: Mention) -> tuple[dict, list[dict]]:
    state, events = empty_state(), []
    for m in mentions:
        events += tracker.observe(state, m)
    return state, events


def test_a_complaint_opens_an_item_and_the_brand_reply_closes_it(tracker):
    _, events = feed(tracker, tweet("1", "Il caffè è arrivato freddo", intent="complaint"),
                     tweet("2", "@u1 ci scusi, la ricontattiamo", minutes=42, brand_author=True, parent="1"))
    assert [e["kind"] for e in events] == ["pending", "brand_reply"]
    reply = events[-1]
    assert reply["id"] == reply["mention_id"] == mention_id("x", "1")
    assert reply["reply_id"] == mention_id("x", "2")
    assert (reply["response_seconds"], reply["business_seconds"], reply["late"]) == (42 * 60, 42 * 60, False)
    assert reply["event_at"] == reply["opened_at"]  # the document stays in one monthly index


def test_praise_that_does_not_address_the_brand_expects_nothing(tracker):
    _, events = feed(tracker, tweet("1", "Che buono il caffè Aurora", intent="praise"))
    assert events == []


def test_tagging_the_brand_account_or_commenting_its_post_expects_an_answer(tracker):
    _, tagged = feed(tracker, tweet("1", "grazie @auroracaffe!", intent="praise"))
    _, on_post = feed(tracker, tweet("10", "Nuova miscela in arrivo", brand_author=True),
                      tweet("11", "bella idea", minutes=5, parent="10", intent="praise"))
    assert [e["kind"] for e in tagged] == ["pending"] and [e["kind"] for e in on_post] == ["pending"]


def test_a_reply_that_arrives_before_its_message_still_pairs(tracker):
    _, events = feed(tracker, tweet("2", "@u1 ci scusi", minutes=30, brand_author=True, parent="1"),
                     tweet("1", "Dov'è il mio ordine?", intent="question"))
    assert [e["kind"] for e in events] == ["brand_reply"]
    assert events[0]["response_seconds"] == 1800


def test_the_sla_passes_then_a_late_reply_still_closes_the_item(tracker):
    state, events = feed(tracker, tweet("1", "Ordine mai arrivato, vergogna", intent="complaint"))
    assert tracker.due(state, T0 + timedelta(hours=3)) == []
    overdue = tracker.due(state, T0 + timedelta(hours=5))  # complaint SLA: 4 business hours
    assert [e["kind"] for e in overdue] == ["unanswered"] and overdue[0]["id"] == events[0]["id"]
    assert tracker.due(state, T0 + timedelta(hours=6)) == []  # said once
    late = tracker.observe(state, tweet("2", "@u1 ci scusi", minutes=400, brand_author=True, parent="1"))
    assert late[0]["kind"] == "brand_reply" and late[0]["late"] is True and late[0]["id"] == events[0]["id"]


def test_repeated_deliveries_change_nothing_and_restate_the_item(tracker):
    # Delivered again after a crash, a message may find its state already changed while
    # its events were lost: the tracker sends the item's current event again (same id).
    question = tweet("1", "Quanto costa?", intent="question")
    reply = tweet("2", "@u1 10 euro", minutes=3, brand_author=True, parent="1")
    once, events = feed(tracker, question, reply)
    twice, again = feed(tracker, question, reply, question, reply)
    assert [e["kind"] for e in events] == ["pending", "brand_reply"]
    assert twice == once
    assert again[2:] == [events[1], events[1]]


def test_a_message_delivered_again_restates_a_pending_or_unanswered_item(tracker):
    question = tweet("1", "Ordine mai arrivato, vergogna", intent="complaint")
    state, events = feed(tracker, question)
    assert tracker.observe(state, question) == events  # still pending
    overdue = tracker.due(state, T0 + timedelta(hours=5))
    assert tracker.observe(state, question) == overdue and overdue[0]["kind"] == "unanswered"
    chatter = tweet("3", "bel tempo oggi", minutes=1)  # owed no answer: quiet, no event
    assert tracker.observe(state, chatter) == [] and tracker.observe(state, chatter) == []


def test_a_reply_naming_no_message_answers_the_oldest_open_one_in_the_thread(tracker):
    _, events = feed(tracker, tweet("10", "Post del brand", brand_author=True),
                     tweet("11", "quando riaprite?", minutes=1, parent="10", intent="question"),
                     tweet("12", "e il sabato?", minutes=2, parent="10", intent="question"),
                     tweet("13", "dalle 8", minutes=9, brand_author=True, parent="10"))
    replies = [e for e in events if e["kind"] == "brand_reply"]
    assert [e["mention_id"] for e in replies] == [mention_id("x", "11")]


# -- Real customer-support threads --------------------------------------------------

def _twcs(shared) -> tuple[list[Mention], dict[str, tuple[str, float]]]:
    rows = list(csv.DictReader((shared / "data" / "conversations" / "twcs_sample.csv").open(encoding="utf-8")))
    by_id = {r["tweet_id"]: r for r in rows}
    when = {r["tweet_id"]: datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y") for r in rows}

    def root(tweet_id: str) -> str:
        seen = set()
        while by_id.get(tweet_id, {}).get("in_response_to_tweet_id") in by_id and tweet_id not in seen:
            seen.add(tweet_id)
            tweet_id = by_id[tweet_id]["in_response_to_tweet_id"]
        return tweet_id

    brands = sorted({r["author_id"] for r in rows if r["inbound"] == "False"})
    mentions, truth = [], {}
    for r in rows:
        is_brand = r["inbound"] == "False"
        parent = r["in_response_to_tweet_id"] or None
        mentions.append(Mention(
            platform="x", native_id=r["tweet_id"], source="twcs", text=r["text"], author_is_brand=is_brand,
            author=Author(id=r["author_id"], handle=r["author_id"]), published_at=when[r["tweet_id"]],
            parent_id=mention_id("x", parent) if parent else None, thread_id=mention_id("x", root(r["tweet_id"])),
            brand=r["author_id"] if is_brand else None,
        ))
        if is_brand and parent in by_id and by_id[parent]["inbound"] == "True":
            answer = (mention_id("x", r["tweet_id"]), (when[r["tweet_id"]] - when[parent]).total_seconds())
            first = truth.get(mention_id("x", parent))
            if first is None or answer[1] < first[1]:  # the first answer is the response time
                truth[mention_id("x", parent)] = answer
    return mentions, truth, [Brand(name=b, own_accounts={"x": [b]}) for b in brands]


@pytest.mark.parametrize("order", ["by_time", "shuffled"])
def test_real_support_threads_pair_exactly_with_true_response_times(shared, order):
    mentions, truth, brands = _twcs(shared)
    assert len(truth) >= 30
    mentions = sorted(mentions, key=lambda m: m.published_at)
    if order == "shuffled":  # replies before their messages, across threads
        random.Random(5).shuffle(mentions)
    tracker = ReplyTracker(ReplySettings(), brands)
    states: dict[str, dict] = {}
    paired = {}
    for m in mentions:
        for event in tracker.observe(states.setdefault(m.thread_id, empty_state()), m):
            if event["kind"] == "brand_reply":
                paired[event["mention_id"]] = (event["reply_id"], event["response_seconds"])
    assert paired == truth


def test_the_demo_streams_replies_pair_with_exact_response_times():
    from passaparola.demo.generator import DEMO_BRANDS, generate_with_truth

    mentions, truth = generate_with_truth(seed=3, scale=0.5)
    by_id = {m.id: m for m in mentions}
    tracker = ReplyTracker(ReplySettings(), DEMO_BRANDS)
    states: dict[str, dict] = {}
    paired = {}
    for m in mentions:  # in stream order, as the demo produces them
        for event in tracker.observe(states.setdefault(m.thread_id, empty_state()), m):
            if event["kind"] == "brand_reply":
                paired[event["mention_id"]] = (event["reply_id"], event["response_seconds"], event["brand"])
    assert len(truth.answered) > 50
    expected = {
        user: (reply, (by_id[reply].published_at - by_id[user].published_at).total_seconds(), by_id[user].brand)
        for user, reply in truth.answered.items()
    }
    assert paired == expected


def test_an_item_due_within_the_last_hour_is_seen_as_due(tracker):
    # SLA deadlines are computed in the brand's zone (Rome, UTC+1): they are stored in UTC, so
    # the cheap string check agrees with the real one for a deadline in the last hour too.
    state, _ = feed(tracker, tweet("1", "ordine sbagliato", intent="complaint"))
    due = datetime.fromisoformat(state["open"][mention_id("x", "1")]["due_at"])
    assert due.utcoffset() == timedelta(0)
    now = due + timedelta(minutes=30)
    assert tracker.has_due(state, now) and [e["kind"] for e in tracker.due(state, now)] == ["unanswered"]


def test_next_due_is_the_first_moment_anything_comes_due(tracker):
    """Before it nothing is due; at it, something is; a thread waiting for nothing has none."""
    state, _ = feed(tracker, tweet("1", "ordine sbagliato", intent="complaint"),
                    tweet("2", "ho bisogno di aiuto, a chi scrivo?", intent="question", minutes=10))
    first = tracker.next_due(state)
    sla = min(datetime.fromisoformat(item["due_at"]) for item in state["open"].values())
    assert first == sla and first.utcoffset() == timedelta(0)
    assert not tracker.has_due(state, first - timedelta(seconds=1)) and tracker.has_due(state, first)
    tracker.due(state, first)  # the first item's SLA passes: next comes the second's
    second = tracker.next_due(state)
    assert second > first and tracker.has_due(state, second) and not tracker.has_due(state, second - timedelta(seconds=1))
    tracker.due(state, second)
    # Both unanswered now: still open (a late reply closes them) until they age out.
    aged = tracker.next_due(state)
    assert aged == T0 + timedelta(days=tracker.keep_days)
    assert tracker.has_due(state, aged + timedelta(microseconds=1))
    tracker.due(state, aged + timedelta(microseconds=1))
    assert tracker.next_due(state) == T0 + timedelta(minutes=10, days=tracker.keep_days)
    quiet, _ = feed(tracker, tweet("3", "che bella giornata"))
    assert tracker.next_due(quiet) is None


def test_a_busy_brand_post_stays_the_brands_after_hundreds_of_its_replies(tracker):
    """The brand's own posts and replies are remembered up to ``keep_ids``; its thread's root
    post must not be the one forgotten: comments on it would stop expecting an answer, and
    an answer in the thread naming no message would pair with nothing."""
    busy = [tweet("root", "Nuova miscela!", brand_author=True)]
    for n in range(tracker.keep_ids + 50):  # a comment and the brand's answer, many times
        busy += [tweet(f"c{n}", "buona?", minutes=n, parent="root", intent="question"),
                 tweet(f"r{n}", "sì!", minutes=n + 0.5, brand_author=True, parent=f"c{n}")]
    late_comment = tweet("late", "la trovo anche al supermercato", minutes=400, parent="root")
    in_thread = tweet("answer", "sì, dalla prossima settimana", minutes=410, brand_author=True, parent="root")
    state, events = feed(tracker, *busy, late_comment, in_thread)
    late = [e for e in events if e["mention_id"] == mention_id("x", "late")]
    assert [e["kind"] for e in late] == ["pending", "brand_reply"]
    assert late[-1]["reply_id"] == mention_id("x", "answer")
