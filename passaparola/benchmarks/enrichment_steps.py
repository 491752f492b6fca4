"""Where enrichment spends its time: each step timed alone over the same mentions."""

from __future__ import annotations

import time
from collections.abc import Callable

from core.schema import Mention
from streams.enrichment.brand_query import QueryDoc
from streams.enrichment.duplicates import DuplicateIndex
from streams.enrichment.enricher import Enricher
from streams.enrichment.intent import classify_intent
from streams.enrichment.language import detect_language
from streams.enrichment.promo import is_promo
from streams.enrichment.sentiment import sentiment
from streams.enrichment.topics import keywords


def _timed(step: Callable[[Mention], object], mentions: list[Mention]) -> float:
    start = time.perf_counter()
    for mention in mentions:
        step(mention)
    return (time.perf_counter() - start) / len(mentions) * 1e6


def step_times(enricher: Enricher, mentions: list[Mention]) -> dict[str, float]:
    """Microseconds per mention for each step (languages detected once, up front)."""
    languages = {m.id: detect_language(m.text, languages=enricher.languages) for m in mentions}
    labels = {m.id: sentiment(m.text, languages[m.id]).label for m in mentions}
    index = DuplicateIndex()
    return {
        "language": _timed(lambda m: detect_language(m.text, languages=enricher.languages), mentions),
        "sentiment": _timed(lambda m: sentiment(m.text, languages[m.id]), mentions),
        "intent": _timed(lambda m: classify_intent(m.text, languages[m.id], labels[m.id]), mentions),
        "aspects": _timed(lambda m: enricher.taxonomy.aspects(m.text, languages[m.id]), mentions),
        "keywords": _timed(lambda m: keywords(m.text, languages[m.id]), mentions),
        "brands": _timed(lambda m: enricher.matcher.match(QueryDoc.from_mention(m)), mentions),
        "promo": _timed(lambda m: is_promo(m.text, languages[m.id]), mentions),
        "duplicates": _timed(lambda m: index.check(m.id, m.text, m.published_at), mentions),
    }
