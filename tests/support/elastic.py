"""Reading what the sink under test indexed."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from sinks.elasticsearch import alias


def indexed(es: Elasticsearch, prefix: str, kind: str = "mentions") -> int:
    """Documents of ``kind`` under ``prefix``, searchable now; -1 while there is no index yet
    (or the node is down)."""
    try:
        es.indices.refresh(index=alias(prefix, kind))
        return es.count(index=alias(prefix, kind))["count"]
    except Exception:  # noqa: BLE001 - not created yet, or the node is down
        return -1
