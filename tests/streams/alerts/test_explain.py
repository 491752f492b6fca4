"""Alert explanations: bounded contexts, over-represented terms, the summary line."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from core.schema import Author, Engagement, Mention, Sentiment
from streams.alerts.explain import EXAMPLES_KEPT, TERMS_KEPT, add_mention, empty_context, explain, over_represented


def mention(n: int, keywords: list[str], label: str = "negative", followers: int = 10) -> Mention:
    return Mention(platform="x", native_id=str(n), source="t", text=f"testo {n}", keywords=keywords,
                   author=Author(id=f"u{n}", handle=f"user{n}", followers=followers), engagement=Engagement(likes=n),
                   sentiment=Sentiment(score=-0.5, label=label, method="t"),
                   published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_a_context_stays_bounded_and_keeps_the_mentions_with_most_reach():
    context = empty_context()
    for n in range(200):
        add_mention(context, mention(n, [f"k{n}", "addebito"], followers=n * 10))
    assert context["n"] == 200 and len(context["terms"]) <= TERMS_KEPT and context["terms"]["addebito"] == 200
    assert [e["id"] for e in context["examples"]] == [mention(n, []).id for n in range(199, 199 - EXAMPLES_KEPT, -1)]


def test_terms_over_represented_against_the_baseline_come_first_and_need_two_occurrences():
    window = Counter({"addebito": 20, "app": 8, "caffè": 5, "once": 1})
    baseline = Counter({"caffè": 300, "app": 10, "addebito": 1})
    assert over_represented(window, baseline, 30, 1000) == ["addebito", "app"]


def test_explain_fills_the_alert_fields_and_says_it_in_one_line():
    now = empty_context()
    for n in range(6):
        add_mention(now, mention(n, ["addebito", "doppio"]))
    before = empty_context()
    for n in range(50):
        add_mention(before, mention(100 + n, ["caffè"], label="positive"))
    alert = {"brand": "aurora", "kind": "volume_spike", "window": "1h", "observed": 6, "expected": 0.5,
             "p_value": 1e-6, "severity": "critical"}
    found = explain(alert, [now], [before])
    assert found["terms"][:2] == ["addebito", "doppio"]
    assert found["sentiment_mix"] == {"positive": 0, "neutral": 0, "negative": 6, "mixed": 0}
    assert (found["negative_share"], found["expected_negative_share"]) == (1.0, 0.0)
    assert found["summary"].startswith("aurora: 6 mentions in 1h, 0.5 expected") and "addebito" in found["summary"]


def _busy_bucket() -> dict:
    """Ten positive mentions that reach far and three negative ones that reach few."""
    context = empty_context()
    for n in range(10):
        add_mention(context, mention(n, [], label="positive", followers=100_000 + n))
    for n in range(10, 13):
        add_mention(context, mention(n, ["addebito"], followers=50 + n))
    return context


def test_a_negative_alert_shows_negative_examples_even_when_others_reach_further():
    alert = {"brand": "aurora", "kind": "negative_spike", "window": "1h", "observed": 3, "expected": 0.2,
             "p_value": 1e-6, "severity": "high"}
    examples = explain(alert, [_busy_bucket()], [empty_context()])["examples"]
    assert [e["sentiment"] for e in examples] == ["negative"] * 3 + ["positive"] * 2  # filled up to five
    assert [e["id"] for e in examples[:3]] == [mention(n, []).id for n in (12, 11, 10)]  # most reach first


def test_a_volume_alert_shows_the_examples_with_most_reach_whatever_they_feel():
    alert = {"brand": "aurora", "kind": "volume_spike", "window": "1h", "observed": 13, "expected": 2.0,
             "p_value": 1e-6, "severity": "high"}
    bucket = _busy_bucket()
    add_mention(bucket, mention(30, ["addebito"], followers=10**6))  # negative, and reaching furthest
    examples = explain(alert, [bucket], [empty_context()])["examples"]
    # It is kept in both of the bucket's lists, and shown once.
    assert [e["id"] for e in examples] == [mention(n, []).id for n in (30, 9, 8, 7, 6)]


def test_a_context_from_before_the_negative_list_still_explains():
    old = _busy_bucket()
    del old["negative_examples"]  # as stored by the previous version, in the changelog
    add_mention(old, mention(20, [], followers=1))
    alert = {"brand": "aurora", "kind": "negative_share", "window": "1h", "observed": 0.3, "expected": 0.1,
             "ratio": 3.0, "p_value": 1e-6, "severity": "high"}
    assert explain(alert, [old], [empty_context()])["examples"][0]["id"] == mention(20, []).id
