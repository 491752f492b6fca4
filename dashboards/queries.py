"""The Elasticsearch request each panel target stands for.

Grafana's Elasticsearch datasource turns a target (lucene ``query``, ``metrics``,
``bucketAggs``) into a ``_search`` body: a bool filter of the time range on the
datasource's time field and a ``query_string``, bucket aggregations nested in the order
listed, metrics inside the innermost bucket. :func:`es_request` does the same for the
subset of the model the dashboards use, so tests can run every panel on real data.
Variables are interpolated as Grafana does for lucene: one value as is, several as
``(a OR b)``, "All" as the variable's ``allValue`` (``*``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from dashboards.common import SOURCES

#: Aggregations the dashboards may use: core ones, present on the local node.
CORE_BUCKETS = {"terms", "date_histogram", "filters"}
CORE_METRICS = {"count", "max", "min", "avg", "sum", "cardinality", "percentiles", "raw_data"}


def interpolate(query: str, variables: dict[str, list[str]]) -> str:
    """``$name`` replaced by its values; a variable missing from ``variables`` means All (``*``)."""

    def value(match: re.Match) -> str:
        chosen = variables.get(match.group(1), ["*"])
        return chosen[0] if len(chosen) == 1 else "(" + " OR ".join(chosen) + ")"

    return re.sub(r"\$(\w+)", value, query)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _string_query(query: str) -> dict:
    return {"query_string": {"query": query or "*", "analyze_wildcard": True}}


def _bucket(agg: dict, start: datetime, end: datetime) -> dict:
    kind, settings = agg["type"], agg.get("settings") or {}
    if kind not in CORE_BUCKETS:
        raise ValueError(f"bucket aggregation {kind!r} is not core: it needs the full Elasticsearch image")
    if kind == "terms":
        order_by = settings.get("orderBy", "_count")
        body = {"field": agg["field"], "size": int(settings.get("size", "10")),
                "min_doc_count": int(settings.get("min_doc_count", "1")),
                "order": {"_key" if order_by == "_term" else order_by: settings.get("order", "desc")}}
        return {"terms": body}
    if kind == "date_histogram":
        return {"date_histogram": {"field": agg["field"], "fixed_interval": settings.get("interval", "1h"),
                                   "min_doc_count": int(settings.get("min_doc_count", "0")), "format": "epoch_millis",
                                   "extended_bounds": {"min": _millis(start), "max": _millis(end)}}}
    return {"filters": {"filters": {f.get("label") or f["query"]: _string_query(f["query"]) for f in settings["filters"]}}}


def _metric(metric: dict) -> dict | None:
    kind = metric["type"]
    if kind not in CORE_METRICS:
        raise ValueError(f"metric {kind!r} is not core: it needs the full Elasticsearch image")
    if kind == "count":
        return None
    if kind == "percentiles":
        percents = [float(p) for p in (metric.get("settings") or {}).get("percents", ["50"])]
        return {"percentiles": {"field": metric["field"], "percents": percents}}
    return {kind: {"field": metric["field"]}}


def es_request(target: dict[str, Any], start: datetime, end: datetime,
               variables: dict[str, list[str]] | None = None) -> tuple[str, dict[str, Any]]:
    """(index kind, search body) for one Elasticsearch target over [start, end]."""
    source = SOURCES[target["datasource"]["uid"]]
    time_field = target.get("timeField") or source.time_field
    query = interpolate(target.get("query", ""), variables or {})
    body: dict[str, Any] = {"query": {"bool": {"filter": [
        {"range": {time_field: {"gte": _millis(start), "lte": _millis(end), "format": "epoch_millis"}}},
        _string_query(query),
    ]}}}
    metrics = target.get("metrics") or [{"type": "count"}]
    if metrics[0]["type"] == "raw_data":
        body |= {"size": int((metrics[0].get("settings") or {}).get("size", "500")),
                 "sort": [{time_field: {"order": "desc", "unmapped_type": "boolean"}}, {"_doc": {"order": "desc"}}]}
        return source.kind, body
    body["size"] = 0
    level = body
    for agg in target.get("bucketAggs") or []:
        level.setdefault("aggs", {})[agg["id"]] = _bucket(agg, start, end)
        level = level["aggs"][agg["id"]]
    for metric in metrics:
        if (built := _metric(metric)) is not None:
            level.setdefault("aggs", {})[metric["id"]] = built
    return source.kind, body


def panel_targets(dashboard: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(panel title, target) for every Elasticsearch target of a dashboard's JSON."""
    return [(panel["title"], t) for panel in dashboard.get("panels", []) for t in panel.get("targets") or []
            if (t.get("datasource") or {}).get("type") == "elasticsearch"]
