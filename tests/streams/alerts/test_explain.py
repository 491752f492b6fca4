"""Alert explanations: bounded contexts, over-represented terms, the summary line."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from passaparola.schema import Author, Engagement, Mention, Sentiment
from streams.alerts.explain import EXAMPLES_KEPT, TERMS_KEPT, add_mention, empty_context, explain, over_represented


def mention(n: int, keywords: list[str], label: str = "negative", followers: int = 10) -> Mention:
    return Mention(platform="x", native_id=str(n), source="t", text=f"testo {n}", keywords=keywords,
                   author=Author(id=f"u{n}", handle=f"user{n}", followers=followers), engagement=Engagement(likes=n),
                   sentiment=Sentiment(score=-0.5, label=label, method="t"), published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


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
