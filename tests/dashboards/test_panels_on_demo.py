"""Every panel's Elasticsearch request, run on the demo stream in the real node, shows what
the demo generator says it must."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from dashboards import build, queries
from passaparola.demo.generator import default_anchor, generate_with_truth
from passaparola.demo.pipeline import run_pipeline
from passaparola.elastic import connect
from passaparola.topics import ensure_topics
from sinks.elasticsearch import alias

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(local_stack, base_settings, _tags):
    """The demo stream (ending this hour) through the real workers, once for the module."""
    import os
    import uuid

    tag = f"t-dashboards-{uuid.uuid4().hex[:6]}"
    _tags.append(tag)
    topics = {name: f"{tag}.{value}" for name, value in base_settings.topics.model_dump().items()}
    settings = base_settings.model_copy(update={
        "topics": base_settings.topics.model_copy(update=topics),
        "kafka": base_settings.kafka.model_copy(update={"client_id": tag, "partitions": 3}),
        "elasticsearch": base_settings.elasticsearch.model_copy(update={"index_prefix": tag})})
    env = {**os.environ, "PASSAPAROLA_KAFKA__CLIENT_ID": tag, "PASSAPAROLA_KAFKA__PARTITIONS": "3",
           "PASSAPAROLA_ELASTICSEARCH__INDEX_PREFIX": tag}
    env |= {f"PASSAPAROLA_TOPICS__{k.upper()}": v for k, v in settings.topics.model_dump().items()}
    ensure_topics(settings)
    anchor = default_anchor()
    mentions, truth = generate_with_truth(seed=7, anchor=anchor, scale=0.5)
    run_pipeline(settings, mentions, worker_env=env, timeout_s=240)
    es = connect(settings)
    es.indices.refresh(index=f"{tag}-*")
    return es, tag, mentions, truth, anchor


def search(demo, target, variables=None, days=7):
    es, tag, *_rest, anchor = demo
    kind, body = queries.es_request(target, anchor - timedelta(days=days), anchor + timedelta(hours=1), variables)
    return es.search(index=alias(tag, kind), **body)


def targets(name, ref="A"):
    """Panel title -> its target ``ref`` (A by default)."""
    found = queries.panel_targets(json.loads((build.JSON_DIR / f"{name}.json").read_text()))
    return {title: t for title, t in found if t["refId"] == ref}


def buckets(agg):
    return {b["key"]: b for b in agg["buckets"]} if isinstance(agg["buckets"], list) else agg["buckets"]


def test_every_panel_request_runs(demo):
    for name in build.MODULES:
        for title, target in queries.panel_targets(json.loads((build.JSON_DIR / f"{name}.json").read_text())):
            reply = search(demo, target, {"brand": ["aurora", "spinlane"]})
            assert reply["hits"]["total"]["value"] > 0 or title in ("Unanswered queue by age",), (name, title)


def test_buzz_panels(demo):
    _es, _tag, mentions, truth, _anchor = demo
    panels = targets("buzz")
    users = [m for m in mentions if not m.author_is_brand]
    voice = buckets(search(demo, panels["Share of voice (all brands)"])["aggregations"]["2"])
    assert {k: b["doc_count"] for k, b in voice.items()} == Counter(m.brand for m in users)
    raw_hourly = search(demo, panels["Mentions per brand (raw and deduplicated)"])
    aurora = {b["key"]: b["doc_count"] for b in buckets(raw_hourly["aggregations"]["2"])["aurora"]["9"]["buckets"]}
    assert sum(aurora.values()) == sum(1 for m in users if m.brand == "aurora")
    dedup = search(demo, targets("buzz", "B")["Mentions per brand (raw and deduplicated)"])
    kept = buckets(dedup["aggregations"]["2"])["aurora"]["doc_count"]
    copies = sum(1 for m in users if m.brand == "aurora" and m.id in truth.duplicates)
    print("share of voice", {k: b["doc_count"] for k, b in voice.items()}, "aurora dedup", kept, "true copies", copies)
    assert kept < sum(aurora.values())


def test_spike_hour_dominates_aurora_negative_volume(demo):
    _es, _tag, _m, truth, _a = demo
    target = targets("alerts")["Negative mentions per brand"]
    reply = search(demo, target, {"brand": ["aurora"]})
    hours = buckets(buckets(reply["aggregations"]["2"])["aurora"]["9"])
    series = sorted(((b["doc_count"], b["key"]) for b in hours.values()), reverse=True)
    top_count, top_key = series[0]
    start, end, brand = truth.spike
    assert brand == "aurora"
    assert start.timestamp() * 1000 - 3_600_000 <= top_key <= end.timestamp() * 1000
    median = sorted(c for c, _ in series)[len(series) // 2]
    assert top_count >= 5 * max(median, 1)
    print("aurora negative: spike hour", top_count, "median hour", median)
