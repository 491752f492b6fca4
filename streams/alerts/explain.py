"""What an alert says about itself: who, where, which words, how it feels, examples.

The alerts agent keeps one small *bucket context* per brand and 5-minute bucket (sentiment
mix, term counts, authors with their reach, sources, the five mentions with most reach and
the five negative ones with most reach);
:func:`explain` merges the buckets an alert covers and compares their terms with the
brand's buckets of the preceding day. Everything is bounded, JSON-able and pure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from core.schema import Mention

TERMS_KEPT = 40  # per bucket: enough for the top terms of a window, small in the changelog
AUTHORS_KEPT = 15
EXAMPLES_KEPT = 5  # per list: any sentiment, and negative only
NEGATIVE_KINDS = frozenset({"negative_spike", "negative_share"})  # alerts whose examples are negative first
TEXT_CHARS = 280


def empty_context() -> dict[str, Any]:
    return {"n": 0, "sentiment": {}, "terms": {}, "authors": {}, "sources": {}, "examples": [], "negative_examples": []}


def reach(mention: Mention) -> int:
    """How many people a mention may have reached: followers, else views, plus interactions."""
    e = mention.engagement
    return (mention.author.followers or e.views or 0) + e.likes + e.shares + e.replies


def add_mention(context: dict[str, Any], mention: Mention) -> None:
    """Count ``mention`` into a bucket context (in place), keeping every part bounded."""
    context["n"] += 1
    label = mention.sentiment.label if mention.sentiment else "neutral"
    context["sentiment"][label] = context["sentiment"].get(label, 0) + 1
    for term in dict.fromkeys([*mention.keywords, *mention.topics]):
        context["terms"][term] = context["terms"].get(term, 0) + 1
    context["terms"] = _top(context["terms"], TERMS_KEPT)
    who = mention.author.handle or mention.author.name or mention.author.id
    if who:
        context["authors"][who] = max(context["authors"].get(who, 0), reach(mention))
        context["authors"] = _top(context["authors"], AUTHORS_KEPT)
    source = f"{mention.platform}:{mention.source}"
    context["sources"][source] = context["sources"].get(source, 0) + 1
    example = {"id": mention.id, "reach": reach(mention), "author": who, "platform": mention.platform,
               "url": mention.url, "text": mention.text[:TEXT_CHARS], "sentiment": label,
               "published_at": mention.published_at.isoformat()}
    context["examples"] = _most_reach([*context["examples"], example])
    if label == "negative":
        # A negative spike's examples must be negative, and in a busy bucket the five with
        # most reach are often not. A context stored without this list starts one here
        # (guarded by test_a_context_from_before_the_negative_list_still_explains).
        context["negative_examples"] = _most_reach([*context.get("negative_examples", []), example])


def _most_reach(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(examples, key=lambda e: (-e["reach"], e["id"]))[:EXAMPLES_KEPT]


def _top(counts: dict[str, int], keep: int) -> dict[str, int]:
    if len(counts) <= keep:
        return counts
    # Ties broken by name: the same input gives the same context on every replay.
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])


def merge(contexts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    merged = {"n": 0, "sentiment": Counter(), "terms": Counter(), "authors": {}, "sources": Counter(), "examples": []}
    for context in contexts:
        merged["n"] += context["n"]
        merged["sentiment"].update(context["sentiment"])
        merged["terms"].update(context["terms"])
        merged["sources"].update(context["sources"])
        for who, value in context["authors"].items():
            merged["authors"][who] = max(merged["authors"].get(who, 0), value)
        merged["examples"] += context["examples"] + context.get("negative_examples", [])
    return merged


def over_represented(window: Counter, baseline: Counter, window_n: int, baseline_n: int, top: int = 8) -> list[str]:
    """Terms more frequent in the window than in the baseline, by smoothed log-odds ratio.

    The +1 smoothing keeps a term seen once in a quiet window from ranking first, and
    terms need two occurrences in the window to count at all.
    """
    scores = []
    for term, count in window.items():
        if count < 2:
            continue
        rate_window = (count + 1) / (window_n + 2)
        rate_base = (baseline.get(term, 0) + 1) / (baseline_n + 2)
        scores.append((math.log(rate_window / rate_base), count, term))
    return [term for score, _, term in sorted(scores, key=lambda s: (-s[0], -s[1], s[2])) if score > 0][:top]


def explain(alert: dict[str, Any], window: Iterable[dict[str, Any]], baseline: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The alert's explanation fields: terms, authors, sources, sentiment mix, examples, summary."""
    now, before = merge(window), merge(baseline)
    terms = over_represented(now["terms"], before["terms"], now["n"], before["n"])
    authors = [who for who, _ in sorted(now["authors"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
    sources = [source for source, _ in now["sources"].most_common(5)]
    examples = _examples(now["examples"], negative_first=alert["kind"] in NEGATIVE_KINDS)
    mix = {label: int(now["sentiment"].get(label, 0)) for label in ("positive", "neutral", "negative", "mixed")}
    negative_share = mix["negative"] / now["n"] if now["n"] else None
    expected_share = before["sentiment"].get("negative", 0) / before["n"] if before["n"] else None
    return {
        "terms": terms,
        "authors": authors,
        "sources": sources,
        "sentiment_mix": mix,
        "examples": examples,
        "negative_share": negative_share,
        "expected_negative_share": expected_share,
        "summary": summary(alert, terms, mix, now["n"]),
    }


def _examples(examples: list[dict[str, Any]], negative_first: bool) -> list[dict[str, Any]]:
    """The five to show: most reach first, negative ones before all others if asked (filled
    up with others when fewer than five are negative); each mention once."""
    unique = list({e["id"]: e for e in examples}.values())
    return sorted(unique,
                  key=lambda e: (negative_first and e.get("sentiment") != "negative", -e["reach"], e["id"]))[:EXAMPLES_KEPT]


_WHAT = {"volume_spike": "mentions", "negative_spike": "negative mentions", "negative_share": "negative share"}


def summary(alert: dict[str, Any], terms: list[str], mix: dict[str, int], total: int) -> str:
    """One sentence a reputation manager reads first."""
    what = _WHAT.get(alert["kind"], alert["kind"])
    if alert["kind"] == "negative_share":
        head = f"{alert['brand']}: negative share {alert['ratio']:.1f}x the usual in {alert['window']}"
    else:
        head = f"{alert['brand']}: {alert['observed']} {what} in {alert['window']}, {alert['expected']:.1f} expected"
    about = f"; talk is about {', '.join(terms[:4])}" if terms else ""
    feeling = f"; {mix['negative']} of {total} negative" if total else ""
    return f"{head} (p={alert['p_value']:.1e}, {alert['severity']}){about}{feeling}."
