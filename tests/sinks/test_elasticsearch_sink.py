"""The Elasticsearch sink against the real node, and the sink loop against the real broker."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from core import kafka_clients
from core.elastic import connect
from core.schema import Author, Mention
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from sinks.base import Batching, Record, sink_group
from sinks.elasticsearch import ElasticsearchSink, alias
from sinks.worker import SinkWorker
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def mention(i: int) -> Mention:
    lang = "it" if i % 2 else "en"
    text = "La consegna è arrivata in ritardo" if lang == "it" else "The refund never arrived"
    return Mention(
        platform="mastodon", native_id=str(i), source="test", author=Author(id=f"u{i % 50}", followers=i),
        text=f"{text} #{i}", language=lang, published_at=T0 + timedelta(seconds=i),
    )


MENTIONS_INDEX_OF_T0 = "{prefix}-mentions-2026.03"


def record(value: bytes, offset: int = 0, topic: str = "m") -> Record:
    return Record(topic, 0, offset, None, value)


@pytest.fixture
def sink(settings: Settings) -> ElasticsearchSink:
    target = ElasticsearchSink(connect(settings), settings.elasticsearch.index_prefix,
                               {"m": "mentions", "r": "replies", "a": "alerts"})
    target.setup()
    return target


def _count(sink: ElasticsearchSink, kind: str = "mentions") -> int:
    sink.client.indices.refresh(index=alias(sink.prefix, kind))
    return sink.client.count(index=alias(sink.prefix, kind))["count"]


def test_setup_is_idempotent_and_the_mapping_api_shows_the_design(sink: ElasticsearchSink):
    sink.setup()
    sink.write([record(mention(1).to_json())])  # the template makes the month's index
    index = MENTIONS_INDEX_OF_T0.format(prefix=sink.prefix)
    mapping = sink.client.indices.get_mapping(index=index)[index]["mappings"]
    props = mapping["properties"]
    assert mapping["dynamic"] == "strict"
    for field in ("text", "title"):
        assert props[field]["type"] == "text"
        assert props[field]["fields"]["it"]["analyzer"] == "italian"
        assert props[field]["fields"]["en"]["analyzer"] == "english"
    assert props["title"]["fields"]["keyword"]["type"] == "keyword"
    for field in ("brand", "brands", "platform", "language", "intent", "topics", "thread_id", "duplicate_of", "id"):
        assert props[field]["type"] == "keyword", field
    assert props["sentiment"]["properties"]["label"]["type"] == "keyword"
    assert props["sentiment"]["properties"]["score"]["type"] == "float"
    assert props["published_at"]["type"] == "date" and props["promo"]["type"] == "boolean"
    assert props["author"]["properties"]["followers"]["type"] == "long"
    assert props["engagement"]["properties"]["likes"]["type"] == "long"
    assert props["url"]["type"] == "keyword"
    aliases = sink.client.indices.get_alias(index=index)[index]["aliases"]
    assert alias(sink.prefix) in aliases
    templates = {t["name"] for t in sink.client.indices.get_index_template(name=f"{sink.prefix}-*")["index_templates"]}
    assert templates == {f"{sink.prefix}-mentions", f"{sink.prefix}-replies", f"{sink.prefix}-alerts"}


def test_documents_go_to_the_month_of_their_own_timestamp(sink: ElasticsearchSink):
    march = mention(1)
    late = Mention(**{**mention(2).model_dump(), "id": "", "thread_id": "",
                      "published_at": datetime(2026, 4, 30, 23, tzinfo=timezone.utc)})
    assert sink.write([record(march.to_json()), record(late.to_json(), 1)]) == []
    sink.client.indices.refresh(index=alias(sink.prefix))
    where = {h["_id"]: h["_index"] for h in sink.client.search(index=alias(sink.prefix), size=10)["hits"]["hits"]}
    assert where == {march.id: f"{sink.prefix}-mentions-2026.03", late.id: f"{sink.prefix}-mentions-2026.04"}


def test_replies_and_alerts_are_indexed_by_their_own_time_and_id(sink: ElasticsearchSink):
    reply = {"id": "r1", "kind": "brand_reply", "event_at": "2026-05-02T10:00:00Z", "brand": "aurora", "response_seconds": 420.0}
    alert = {"id": "a1", "kind": "negative_spike", "at": "2026-05-03T08:00:00+00:00", "brand": "aurora", "p_value": 1e-9,
             "examples": [{"text": "anything, not searched"}]}
    bad = [record(b'{"kind": "brand_reply"}', 3, "r"), record(b'{"id": "x", "at": "yesterday"}', 4, "a")]
    rejected = sink.write([record(json.dumps(reply).encode(), 1, "r"), record(json.dumps(alert).encode(), 2, "a"), *bad])
    assert [r.record.offset for r in rejected] == [3, 4]
    assert "non-empty string id" in rejected[0].reason and "at is missing or not an ISO date" in rejected[1].reason
    assert _count(sink, "replies") == 1 and _count(sink, "alerts") == 1
    assert sink.client.get(index=f"{sink.prefix}-replies-2026.05", id="r1")["_source"]["response_seconds"] == 420.0


def test_writing_twice_does_not_double(sink: ElasticsearchSink):
    batch = [record(mention(i).to_json(), i) for i in range(300)]
    assert sink.write(batch) == []
    assert sink.write(batch) == []
    assert _count(sink) == 300


def test_a_batch_over_the_request_size_goes_in_several_bulk_requests(sink: ElasticsearchSink):
    batch = [record(mention(i).to_json(), i) for i in range(40)] + [record(b'{"platform": "x"}', 40)]
    one = len(batch[0].value)
    sink.max_request_bytes = 10 * one  # about 8 documents with their actions per request
    sizes = []
    bulk = sink.client.bulk

    def counted_bulk(operations, **kwargs):
        sizes.append(len(json.dumps(operations)))
        return bulk(operations=operations, **kwargs)

    sink.client.bulk = counted_bulk
    rejected = sink.write(batch)
    assert [r.record.offset for r in rejected] == [40]
    assert 5 <= len(sizes) <= 8 and max(sizes) <= 12 * one, sizes
    assert _count(sink) == 40


def test_poison_is_rejected_with_its_reason_and_the_rest_indexed(sink: ElasticsearchSink):
    batch = [record(mention(i).to_json(), i) for i in range(10)] + [record(b'{"platform": "x"}', 10), record(b"\xff\xfe", 11)]
    rejected = sink.write(batch)
    assert [r.record.offset for r in rejected] == [10, 11]
    assert all(r.reason.startswith("not a valid mentions document:") for r in rejected)
    assert "native_id" in rejected[0].reason
    assert _count(sink) == 10


def test_italian_search_finds_inflected_forms(sink: ElasticsearchSink):
    sink.write([record(mention(i).to_json(), i) for i in range(20)])
    _count(sink)
    hits = sink.client.count(index=alias(sink.prefix), query={"match": {"text.it": "consegne ritardi"}})["count"]
    assert hits == 10  # the ten Italian ones


def test_the_worker_indexes_a_topic_once_and_dead_letters_poison(settings: Settings):
    ensure_topics(settings)
    topic = settings.topics.mentions_enriched
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for i in range(2000):
            producer.send(topic, key=str(i % 7).encode(), value=mention(i).to_json())
        producer.send(topic, key=b"poison", value=b"{broken json")

    def run_worker() -> None:
        target = ElasticsearchSink.from_settings(settings)
        worker = SinkWorker(settings, target, [topic], sink_group(settings), settings.topics.sink_dlq,
                            Batching(max_records=300, max_wait_s=0.2))
        worker.run(idle_exit_s=3)

    run_worker()
    es = connect(settings)
    index = alias(settings.elasticsearch.index_prefix)
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == 2000

    letters = [json.loads(value) for _key, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.sink_dlq)]
    assert len(letters) == 1
    assert letters[0]["value"] == "{broken json" and letters[0]["reason"].startswith("not a valid mentions document: ")
    assert letters[0]["topic"] == topic and letters[0]["worker"] == "sink"

    # The same group again: offsets were committed, nothing is re-read or re-dead-lettered.
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for i in range(2000, 2100):
            producer.send(topic, value=mention(i).to_json())
    run_worker()
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == 2100
    assert len(read_to_end(settings.kafka.bootstrap_servers, settings.topics.sink_dlq)) == 1


def test_the_worker_is_healthy_only_while_its_loop_comes_round(settings: Settings):
    """A hung poll leaves the process up and /metrics served: only the loop's heartbeat tells.
    A worker whose loop is not running stands for one that hangs."""
    ensure_topics(settings)
    target = ElasticsearchSink.from_settings(settings)
    worker = SinkWorker(settings, target, [settings.topics.mentions_enriched], sink_group(settings),
                        settings.topics.sink_dlq, Batching(max_wait_s=0.2))
    # No loop for longer than the stall: unhealthy.
    wait_until(lambda: not worker.healthy(stall_s=1.0), 10, "the worker unhealthy without its loop")
    running = threading.Thread(target=worker.run, daemon=True)
    running.start()
    try:
        wait_until(lambda: worker.healthy(stall_s=1.0), 30, "the worker healthy once its loop runs", every_s=0.1)
        samples = []
        for _ in range(20):  # polling an empty topic: the loop keeps coming round (sampled over 2 s, on purpose)
            samples.append(worker.healthy(stall_s=1.0))
            time.sleep(0.1)
        assert all(samples)
    finally:
        worker.stop()
        running.join(30)
    assert not running.is_alive()
    assert not worker.healthy(stall_s=60.0)  # stopped


def test_setup_adds_new_fields_to_an_index_made_by_an_older_version(settings: Settings):
    from sinks.mappings import KINDS, mappings

    es = connect(settings)
    index = f"{settings.elasticsearch.index_prefix}-mentions-2025.01"
    old = mappings(KINDS["mentions"], languages=True)
    del old["properties"]["sentiment"], old["properties"]["intent"]
    es.indices.create(index=index, mappings=old)
    ElasticsearchSink.from_settings(settings, es).setup()
    properties = es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    assert properties["sentiment"]["properties"]["label"]["type"] == "keyword"
    assert properties["intent"]["type"] == "keyword"


def test_setup_refuses_a_conflicting_old_mapping_with_advice(settings: Settings):
    from sinks.elasticsearch import MappingConflict
    from sinks.mappings import KINDS, mappings

    es = connect(settings)
    index = f"{settings.elasticsearch.index_prefix}-mentions-2025.01"
    old = mappings(KINDS["mentions"], languages=True)
    old["properties"]["intent"] = {"type": "long"}
    es.indices.create(index=index, mappings=old)
    with pytest.raises(MappingConflict, match="MAPPING_VERSION"):
        ElasticsearchSink.from_settings(settings, es).setup()


def test_the_local_node_has_no_ilm_so_prune_keeps_retention(settings: Settings):
    from sinks.elasticsearch import has_ilm, prune

    es = connect(settings)
    assert has_ilm(es) is False  # the integ-test zip has no x-pack-ilm module
    ElasticsearchSink.from_settings(settings, es).setup()  # the templates: what makes an index ours
    prefix = settings.elasticsearch.index_prefix
    for name in ("mentions-2025.10", "mentions-2025.11", "replies-2026.01", "alerts-2026.02", "mentions-2026.03",
                 "mentions-archive-2019.03"):
        es.indices.create(index=f"{prefix}-{name}")
    old = [f"{prefix}-mentions-2025.10", f"{prefix}-mentions-2025.11"]
    march = datetime(2026, 3, 15, tzinfo=timezone.utc)
    # Listed, not deleted, unless asked; an index of our shape the templates did not make is not ours.
    assert prune(es, prefix, keep_months=3, now=march) == old
    es.indices.delete_alias(index=old[0], name=alias(prefix, "mentions"))
    assert prune(es, prefix, keep_months=3, now=march) == old[1:]
    assert prune(es, prefix, keep_months=3, now=march, delete=True) == old[1:]
    with pytest.raises(ValueError, match="current month is always kept"):
        prune(es, prefix, keep_months=0, now=march, delete=True)
    left = set(es.indices.get(index=f"{prefix}-*"))
    assert left == {old[0], f"{prefix}-replies-2026.01", f"{prefix}-alerts-2026.02", f"{prefix}-mentions-2026.03",
                    f"{prefix}-mentions-archive-2019.03"}


def test_an_older_version_replayed_after_a_newer_one_does_not_replace_it(sink: ElasticsearchSink):
    """A re-fetched edit, then the older fetch replayed; a reply's answer, then its earlier
    "unanswered" re-sent by a restarted tracker: the newer stays, the older is not an error."""
    first = mention(1)
    edited = Mention(**{**first.model_dump(), "text": "edited: the newer text",
                        "fetched_at": first.fetched_at + timedelta(hours=1)})
    unanswered = {"id": "r1", "kind": "unanswered", "event_at": "2026-05-02T10:00:00Z", "brand": "aurora"}
    answered = {**unanswered, "kind": "brand_reply", "response_seconds": 420.0}
    newer = [record(edited.to_json(), 1), record(json.dumps(answered).encode(), 2, "r")]
    older = [record(first.to_json(), 3), record(json.dumps(unanswered).encode(), 4, "r")]
    assert sink.write(newer) == [] and sink.write(older) == []
    sink.client.indices.refresh(index=f"{sink.prefix}-*")
    hits = {h["_id"]: h["_source"] for h in sink.client.search(index=f"{sink.prefix}-*", size=10)["hits"]["hits"]}
    assert hits[first.id]["text"] == "edited: the newer text"
    assert hits["r1"]["kind"] == "brand_reply" and hits["r1"]["response_seconds"] == 420.0
    assert sink.write(newer) == []  # the same version again (a retry): written, not refused
