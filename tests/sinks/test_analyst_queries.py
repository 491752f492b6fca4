"""The README's ready queries for analysts, run on the enriched demo stream in the real node."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.elastic import connect
from core.settings import Settings
from passaparola.demo.generator import DEMO_BRANDS, generate_with_truth
from sinks.base import Record
from sinks.elasticsearch import ElasticsearchSink, alias
from streams.enrichment.duplicates import DuplicateIndex
from streams.enrichment.enricher import Enricher

pytestmark = pytest.mark.integration
README = Path(__file__).resolve().parents[2] / "docs" / "elasticsearch.md"
_QUERY = re.compile(r"<!-- analyst-query: ([\w-]+) -->.*?```json\n(GET|POST) (\S+)\n(.*?)```", re.S)


def readme_queries() -> dict[str, tuple[str, dict]]:
    return {name: (path, json.loads(body)) for name, _, path, body in _QUERY.findall(README.read_text())}


def test_the_readme_has_the_five_queries():
    assert set(readme_queries()) == {
        "share-of-voice", "net-sentiment-per-day", "top-negative-authors", "significant-terms-in-spike", "unanswered-complaints"
    }


def _seed(settings: Settings) -> tuple[Settings, list]:
    """The enriched demo stream (ending now) and a few reply events, under the test's prefix."""
    mentions, _truth = generate_with_truth(seed=5, anchor=datetime.now(timezone.utc), scale=0.5)
    enricher = Enricher(DEMO_BRANDS, duplicates=DuplicateIndex())
    enriched = [enricher.enrich(m) for m in mentions]
    sink = ElasticsearchSink.from_settings(settings)
    sink.setup()
    topic = settings.topics.mentions_enriched
    for start in range(0, len(enriched), 1000):
        assert sink.write([Record(topic, 0, i, None, m.to_json()) for i, m in enumerate(enriched[start:start + 1000])]) == []
    now = datetime.now(timezone.utc)
    events = [
        {"id": "u1", "kind": "unanswered", "intent": "complaint", "brand": "aurora",
         "due_at": (now - timedelta(hours=5)).isoformat(), "event_at": now.isoformat()},
        {"id": "u2", "kind": "unanswered", "intent": "complaint", "brand": "aurora",
         "due_at": (now - timedelta(hours=9)).isoformat(), "replied_at": now.isoformat(), "event_at": now.isoformat()},
        {"id": "u3", "kind": "unanswered", "intent": "question", "brand": "aurora",
         "due_at": (now - timedelta(hours=7)).isoformat(), "event_at": now.isoformat()},
        {"id": "u4", "kind": "unanswered", "intent": "complaint", "brand": "spinlane",
         "due_at": (now - timedelta(hours=8)).isoformat(), "event_at": now.isoformat()},
    ]
    assert sink.write([Record(settings.topics.replies, 0, i, None, json.dumps(e).encode()) for i, e in enumerate(events)]) == []
    es = connect(settings)
    es.indices.refresh(index=f"{settings.elasticsearch.index_prefix}-*")
    return settings, enriched


def _run(settings: Settings, name: str) -> dict:
    path, body = readme_queries()[name]
    index, _, endpoint = path.partition("/")
    assert index.startswith("passaparola-") and endpoint == "_search"
    real = alias(settings.elasticsearch.index_prefix, index.removeprefix("passaparola-"))
    return connect(settings).search(index=real, **body)


def test_every_readme_query_answers_the_question(settings: Settings):
    settings, enriched = _seed(settings)
    by_users = [m for m in enriched if not m.author_is_brand]

    voice = _run(settings, "share-of-voice")
    shares = {b["key"]: b["doc_count"] for b in voice["aggregations"]["brand"]["buckets"]}
    assert shares == {b: sum(1 for m in by_users if m.brand == b) for b in {m.brand for m in by_users}}
    assert voice["hits"]["total"]["value"] == len(by_users)

    days = _run(settings, "net-sentiment-per-day")["aggregations"]["day"]["buckets"]
    negatives = sum(br["mood"]["buckets"]["negative"]["doc_count"] for d in days for br in d["brand"]["buckets"])
    assert negatives == sum(1 for m in by_users if m.sentiment.label == "negative") > 0

    authors = _run(settings, "top-negative-authors")["aggregations"]["author"]["buckets"]
    reach = [a["reach"]["value"] for a in authors]
    assert len(authors) == 10 and reach == sorted(reach, reverse=True)
    loudest = max((m for m in enriched if m.sentiment.label == "negative" and m.author.handle),
                  key=lambda m: m.author.followers or 0)
    assert authors[0]["key"] == loudest.author.handle

    terms = _run(settings, "significant-terms-in-spike")["aggregations"]["about"]["buckets"]
    assert terms, "the demo's incident (double charges) must stand out in the last 24 hours"

    unanswered = _run(settings, "unanswered-complaints")["hits"]["hits"]
    assert [h["_id"] for h in unanswered] == ["u4", "u1"]  # complaints, not answered, oldest SLA first
