"""What the demo left searchable, in the words of a reputation manager, and how to look further."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class Summary:
    index: str
    documents: int
    by_brand: dict[str, int]
    by_platform: dict[str, int]
    by_language: dict[str, int]
    brand_replies: int
    threads_with_reply: int
    first: str | None
    last: str | None
    sentiment_by_brand: dict[str, dict[str, int]]
    by_intent: dict[str, int]
    promo: int
    duplicates: int

    def net_sentiment(self, brand: str) -> float | None:
        """(positive - negative) / all, the figure reputation teams track per brand."""
        counts = self.sentiment_by_brand.get(brand, {})
        total = sum(counts.values())
        return (counts.get("positive", 0) - counts.get("negative", 0)) / total if total else None


def _buckets(aggs: dict, name: str) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in aggs[name]["buckets"]}


def summarize(es: Elasticsearch, index: str) -> Summary:
    """One search with aggregations over everything in ``index`` (an alias or a name)."""
    missing = "(none)"
    reply = es.search(
        index=index,
        size=0,
        track_total_hits=True,
        aggs={
            "brand": {"terms": {"field": "brand", "size": 20, "missing": missing}},
            "platform": {"terms": {"field": "platform", "size": 20}},
            "language": {"terms": {"field": "language", "size": 20, "missing": missing}},
            "brand_replies": {
                "filter": {"bool": {"filter": [{"term": {"author_is_brand": True}}, {"exists": {"field": "parent_id"}}]}},
                "aggs": {"threads": {"cardinality": {"field": "thread_id"}}},
            },
            # Net sentiment is about what people say: the brands' own posts and replies are left out.
            "people": {
                "filter": {"term": {"author_is_brand": False}},
                "aggs": {"sentiment": {
                    "terms": {"field": "brand", "size": 20, "missing": missing},
                    "aggs": {"label": {"terms": {"field": "sentiment.label", "size": 5}}},
                }},
            },
            "intent": {"terms": {"field": "intent", "size": 10, "missing": missing}},
            "promo": {"filter": {"term": {"promo": True}}},
            "duplicates": {"filter": {"exists": {"field": "duplicate_of"}}},
            "first": {"min": {"field": "published_at"}},
            "last": {"max": {"field": "published_at"}},
        },
    )
    aggs = reply["aggregations"]
    return Summary(
        index=index,
        documents=reply["hits"]["total"]["value"],
        by_brand=_buckets(aggs, "brand"),
        by_platform=_buckets(aggs, "platform"),
        by_language=_buckets(aggs, "language"),
        brand_replies=aggs["brand_replies"]["doc_count"],
        threads_with_reply=aggs["brand_replies"]["threads"]["value"],
        first=aggs["first"].get("value_as_string"),
        last=aggs["last"].get("value_as_string"),
        sentiment_by_brand={b["key"]: _buckets(b, "label") for b in aggs["people"]["sentiment"]["buckets"]},
        by_intent=_buckets(aggs, "intent"),
        promo=aggs["promo"]["doc_count"],
        duplicates=aggs["duplicates"]["doc_count"],
    )


@dataclass(frozen=True)
class ReplyFigures:
    """Per intent: items owed an answer, how many were answered, overdue or still within
    their SLA, and how fast the first answers came."""

    intent: str
    owed: int
    answered: int
    overdue: int
    median_minutes: float | None
    median_business_minutes: float | None

    @property
    def waiting(self) -> int:
        return self.owed - self.answered - self.overdue

    @property
    def rate(self) -> float | None:
        return self.answered / self.owed if self.owed else None


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def reply_figures(es: Elasticsearch, index: str) -> list[ReplyFigures]:
    """Reply rate and median first-response time by intent, over the items owed an answer
    (those with an SLA). Medians are computed here from the documents: the demo is small,
    and the local node's missing modules make client-side figures the safe choice."""
    found = es.search(index=index, size=10_000, query={"exists": {"field": "sla_seconds"}}, ignore_unavailable=True,
                      source=["intent", "kind", "response_seconds", "business_seconds"])
    by_intent: dict[str, list[dict]] = {}
    for hit in found["hits"]["hits"]:
        by_intent.setdefault(hit["_source"].get("intent") or "other", []).append(hit["_source"])
    figures = []
    for intent, docs in sorted(by_intent.items(), key=lambda kv: -len(kv[1])):
        answered = [d for d in docs if d["kind"] == "brand_reply"]
        figures.append(ReplyFigures(
            intent, len(docs), len(answered), sum(1 for d in docs if d["kind"] == "unanswered"),
            _median([d["response_seconds"] / 60 for d in answered]),
            _median([d["business_seconds"] / 60 for d in answered]),
        ))
    return figures


def alert_list(es: Elasticsearch, index: str, size: int = 20, ids: list[str] | None = None) -> list[dict]:
    """The alerts raised (only those with ``ids`` when given), oldest first, with their explanations."""
    query = {"match_all": {}} if ids is None else {"ids": {"values": ids}}
    found = es.search(index=index, size=size, sort=[{"at": "asc"}], query=query, ignore_unavailable=True)
    return [hit["_source"] for hit in found["hits"]["hits"]]


def example_queries(es_url: str, alias: str) -> list[tuple[str, str]]:
    """Ready commands for the next question, against this deployment's URL and alias."""
    search = f"{es_url}/{alias}/_search"
    json = "-H 'Content-Type: application/json'"
    return [
        ("Italian full text (stemmed: 'consegna' also finds 'consegne')", f"curl -s '{search}?q=text.it:consegna&size=3&pretty'"),
        ("English full text", f"curl -s '{search}?q=text.en:refund&size=3&pretty'"),
        (
            "mentions per brand and platform",
            f"curl -s '{search}?size=0&pretty' {json} -d '"
            '{"aggs":{"brand":{"terms":{"field":"brand"},"aggs":{"platform":{"terms":{"field":"platform"}}}}}}\'',
        ),
        (
            "mentions per hour (the spike shows)",
            f"curl -s '{search}?size=0&pretty' {json} -d '"
            '{"aggs":{"h":{"date_histogram":{"field":"published_at","fixed_interval":"1h"}}}}\'',
        ),
    ]
