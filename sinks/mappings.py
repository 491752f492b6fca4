"""Index templates: what analysts and dashboards can search, defined once.

Text is indexed three ways: ``text`` with the standard analyzer (any language), and the
``text.it`` / ``text.en`` sub-fields with the Italian and English analyzers (stemming and
stop words: "consegne" finds "consegna"). A cluster without those analyzers gets the
standard analyzer on the sub-fields too, so queries keep working, only less forgiving.
"""

from __future__ import annotations

MAPPING_VERSION = 1


def _multilingual_text(languages: bool) -> dict:
    sub = {
        "it": {"type": "text", "analyzer": "italian" if languages else "standard"},
        "en": {"type": "text", "analyzer": "english" if languages else "standard"},
    }
    return {"type": "text", "fields": sub}


KEYWORD = {"type": "keyword"}


def mentions_mappings(languages: bool) -> dict:
    return {
        # strict: a document with a field we did not design is refused (and dead-lettered)
        # instead of silently creating a mapping the dashboards know nothing about.
        "dynamic": "strict",
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
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
                    "followers": {"type": "long"},
                }
            },
            "author_is_brand": {"type": "boolean"},
            "brand": KEYWORD,
            "title": _multilingual_text(languages),
            "text": _multilingual_text(languages),
            "language": KEYWORD,
            "published_at": {"type": "date"},
            "fetched_at": {"type": "date"},
            "engagement": {
                "properties": {
                    "likes": {"type": "long"},
                    "shares": {"type": "long"},
                    "replies": {"type": "long"},
                    "views": {"type": "long"},
                }
            },
            "sentiment": {"properties": {"score": {"type": "float"}, "label": KEYWORD, "method": KEYWORD}},
            "intent": KEYWORD,
            "topics": KEYWORD,
            "keywords": KEYWORD,
            "brands": KEYWORD,
            "promo": {"type": "boolean"},
            "duplicate_of": KEYWORD,
        },
    }


def mentions_template(prefix: str, languages: bool, replicas: int = 0) -> dict:
    """Index template for ``<prefix>-mentions-*``, read through the ``<prefix>-mentions`` alias."""
    return {
        "index_patterns": [f"{prefix}-mentions-*"],
        "priority": 100,
        "version": MAPPING_VERSION,
        "template": {
            "settings": {"number_of_shards": 1, "number_of_replicas": replicas, "refresh_interval": "1s"},
            "mappings": mentions_mappings(languages),
            "aliases": {f"{prefix}-mentions": {}},
        },
    }
