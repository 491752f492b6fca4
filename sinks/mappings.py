"""Index templates: what analysts and dashboards can search, defined once.

``mentions`` (by ``published_at``), ``replies`` (by ``event_at``) and ``alerts`` (by ``at``)
live in monthly indices ``<prefix>-<kind>-<yyyy.mm>`` behind the alias ``<prefix>-<kind>``.
A document's own timestamp names its index, so a re-sent document overwrites itself and an
id is unique across the alias (rollover by size would break that).

``text`` has the standard analyzer, ``text.it``/``text.en`` the Italian and English ones
("consegne" finds "consegna"; standard where the cluster lacks them). Mappings are ``strict``:
a field not designed here is refused (its document dead-lettered), never silently mapped.
New fields go in place (``put_mapping``); a changed one needs a new ``MAPPING_VERSION`` and a reindex.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAPPING_VERSION = 2

KEYWORD = {"type": "keyword"}
DATE = {"type": "date"}
LONG = {"type": "long"}
FLOAT = {"type": "float"}
BOOLEAN = {"type": "boolean"}


def _multilingual_text(languages: bool, keyword: bool = False) -> dict:
    fields = {
        "it": {"type": "text", "analyzer": "italian" if languages else "standard"},
        "en": {"type": "text", "analyzer": "english" if languages else "standard"},
    }
    if keyword:
        fields["keyword"] = {"type": "keyword", "ignore_above": 512}
    return {"type": "text", "fields": fields}


def _sentiment() -> dict:
    return {"properties": {"score": FLOAT, "label": KEYWORD, "method": KEYWORD}}


def mentions_properties(languages: bool) -> dict:
    return {
        "schema_version": {"type": "short"},
        "id": KEYWORD,
        "platform": KEYWORD,
        "native_id": KEYWORD,
        "source": KEYWORD,
        "url": {"type": "keyword", "index": False},
        "thread_id": KEYWORD,
        "parent_id": KEYWORD,
        "author": {
            "properties": {
                "id": KEYWORD,
                "handle": KEYWORD,
                "name": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
                "followers": LONG,
            }
        },
        "author_is_brand": BOOLEAN,
        "brand": KEYWORD,
        "title": _multilingual_text(languages, keyword=True),
        "text": _multilingual_text(languages),
        "language": KEYWORD,
        "published_at": DATE,
        "fetched_at": DATE,
        "engagement": {"properties": {"likes": LONG, "shares": LONG, "replies": LONG, "views": LONG}},
        "sentiment": _sentiment(),
        "intent": KEYWORD,
        "topics": KEYWORD,
        "keywords": KEYWORD,
        "brands": KEYWORD,
        "promo": BOOLEAN,
        "duplicate_of": KEYWORD,
    }


def replies_properties(languages: bool) -> dict:
    """Events of the reply tracker: a brand answered (``brand_reply``) or an SLA passed (``unanswered``)."""
    return {
        "id": KEYWORD,
        "kind": KEYWORD,
        "event_at": DATE,
        "brand": KEYWORD,
        "platform": KEYWORD,
        "thread_id": KEYWORD,
        "mention_id": KEYWORD,
        "reply_id": KEYWORD,
        "author": {"properties": {"id": KEYWORD, "handle": KEYWORD, "followers": LONG}},
        "intent": KEYWORD,
        "sentiment": _sentiment(),
        "text": _multilingual_text(languages),
        "url": {"type": "keyword", "index": False},
        "opened_at": DATE,
        "due_at": DATE,
        "replied_at": DATE,
        "response_seconds": FLOAT,
        "business_seconds": FLOAT,
        "sla_seconds": FLOAT,
        "late": BOOLEAN,
    }


def alerts_properties(languages: bool) -> dict:
    """Spike alerts, with what explains them."""
    return {
        "id": KEYWORD,
        "kind": KEYWORD,
        "at": DATE,
        "brand": KEYWORD,
        "window": KEYWORD,
        "window_start": DATE,
        "window_end": DATE,
        "observed": FLOAT,
        "expected": FLOAT,
        "p_value": {"type": "double"},
        "log10_p": FLOAT,  # p_value underflows to 0 for big spikes; its logarithm does not
        "ratio": FLOAT,
        "evidence": FLOAT,
        "escalation": BOOLEAN,
        "total": LONG,
        "severity": KEYWORD,
        "negative_share": FLOAT,
        "expected_negative_share": FLOAT,
        "terms": KEYWORD,
        "authors": KEYWORD,
        "sources": KEYWORD,
        "sentiment_mix": {"properties": {"positive": LONG, "neutral": LONG, "negative": LONG, "mixed": LONG}},
        "examples": {"type": "object", "enabled": False},  # shown, never searched
        "summary": _multilingual_text(languages),
    }


@dataclass(frozen=True)
class Kind:
    """One kind of document: its name, the field that dates it, its mapping."""

    name: str
    time_field: str
    properties: Callable[[bool], dict]


KINDS = {
    "mentions": Kind("mentions", "published_at", mentions_properties),
    "replies": Kind("replies", "event_at", replies_properties),
    "alerts": Kind("alerts", "at", alerts_properties),
}


def mappings(kind: Kind, languages: bool) -> dict:
    return {"dynamic": "strict", "_meta": {"mapping_version": MAPPING_VERSION}, "properties": kind.properties(languages)}


def index_template(prefix: str, kind: Kind, languages: bool, replicas: int = 0, lifecycle: str | None = None) -> dict:
    """The template for ``<prefix>-<kind>-*``: mapping, settings, the read alias, and the
    lifecycle policy when the cluster has ILM."""
    settings: dict = {"number_of_shards": 1, "number_of_replicas": replicas, "refresh_interval": "1s"}
    if lifecycle:
        settings["index.lifecycle.name"] = lifecycle
    return {
        "index_patterns": [f"{prefix}-{kind.name}-*"],
        "priority": 100,
        "version": MAPPING_VERSION,
        "_meta": {"managed_by": "passaparola"},
        "template": {"settings": settings, "mappings": mappings(kind, languages), "aliases": {f"{prefix}-{kind.name}": {}}},
    }


def retention_policy(days: int) -> dict:
    """ILM policy: monthly indices are deleted ``days`` after their month (by creation)."""
    return {"phases": {"hot": {"actions": {}}, "delete": {"min_age": f"{days}d", "actions": {"delete": {}}}}}
