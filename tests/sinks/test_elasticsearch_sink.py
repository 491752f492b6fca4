"""The Elasticsearch sink against the real node, and the sink loop against the real broker."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from kafka import KafkaConsumer, KafkaProducer

from passaparola.config import Settings
from passaparola.elastic import connect
from passaparola.schema import Author, Mention
from passaparola.topics import ensure_topics
from sinks.base import Batching, Record, SinkWorker, sink_group
from sinks.elasticsearch import ElasticsearchSink, mentions_index

pytestmark = pytest.mark.integration
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def mention(i: int) -> Mention:
    lang = "it" if i % 2 else "en"
    text = "La consegna è arrivata in ritardo" if lang == "it" else "The refund never arrived"
    return Mention(
        platform="mastodon", native_id=str(i), source="test", author=Author(id=f"u{i % 50}", followers=i),
        text=f"{text} #{i}", language=lang, published_at=T0 + timedelta(seconds=i),
    )


def record(value: bytes, offset: int = 0) -> Record:
    return Record("t", 0, offset, None, value)


@pytest.fixture
def sink(settings: Settings) -> ElasticsearchSink:
    target = ElasticsearchSink(connect(settings), settings.elasticsearch.index_prefix)
    target.setup()
    return target


def _count(sink: ElasticsearchSink) -> int:
    sink.client.indices.refresh(index=sink.index)
    return sink.client.count(index=f"{sink.prefix}-mentions")["count"]


def test_setup_is_idempotent_and_gives_the_mapping(sink: ElasticsearchSink):
    sink.setup()
    mapping = sink.client.indices.get_mapping(index=sink.index)[sink.index]["mappings"]
    text = mapping["properties"]["text"]
    assert text["fields"]["it"]["analyzer"] == "italian"
    assert text["fields"]["en"]["analyzer"] == "english"
    assert mapping["properties"]["published_at"]["type"] == "date"
    assert mapping["properties"]["platform"]["type"] == "keyword"
    assert mapping["dynamic"] == "strict"


def test_writing_twice_does_not_double(sink: ElasticsearchSink):
    batch = [record(mention(i).to_json(), i) for i in range(300)]
    assert sink.write(batch) == []
    assert sink.write(batch) == []
    assert _count(sink) == 300


def test_poison_is_rejected_with_its_reason_and_the_rest_indexed(sink: ElasticsearchSink):
    batch = [record(mention(i).to_json(), i) for i in range(10)] + [record(b'{"platform": "x"}', 10), record(b"\xff\xfe", 11)]
    rejected = sink.write(batch)
    assert [r.record.offset for r in rejected] == [10, 11]
    assert all(r.reason.startswith("not a mention:") for r in rejected)
    assert "native_id" in rejected[0].reason
    assert _count(sink) == 10


def test_italian_search_finds_inflected_forms(sink: ElasticsearchSink):
    sink.write([record(mention(i).to_json(), i) for i in range(20)])
    sink.client.indices.refresh(index=sink.index)
    hits = sink.client.count(index=sink.index, query={"match": {"text.it": "consegne ritardi"}})["count"]
    assert hits == 10  # the ten Italian ones


def test_the_worker_indexes_a_topic_once_and_dead_letters_poison(settings: Settings):
    ensure_topics(settings)
    topic = settings.topics.mentions_enriched
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    for i in range(2000):
        producer.send(topic, key=str(i % 7).encode(), value=mention(i).to_json())
    producer.send(topic, key=b"poison", value=b"{broken json")
    producer.flush()

    def run_worker() -> None:
        target = ElasticsearchSink(connect(settings), settings.elasticsearch.index_prefix)
        worker = SinkWorker(settings, target, [topic], sink_group(settings), settings.topics.sink_dlq, Batching(max_records=300, max_wait_s=0.2))
        worker.run(idle_exit_s=3)

    run_worker()
    es = connect(settings)
    index = mentions_index(settings.elasticsearch.index_prefix)
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == 2000

    dlq = KafkaConsumer(settings.topics.sink_dlq, bootstrap_servers=settings.kafka.bootstrap_servers, auto_offset_reset="earliest", consumer_timeout_ms=5000)
    letters = [json.loads(m.value) for m in dlq]
    assert len(letters) == 1
    assert letters[0]["value"] == "{broken json" and letters[0]["reason"].startswith("not a mention: ")
    assert letters[0]["topic"] == topic and letters[0]["worker"] == "sink"

    # The same group again: offsets were committed, nothing is re-read or re-dead-lettered.
    for i in range(2000, 2100):
        producer.send(topic, value=mention(i).to_json())
    producer.flush()
    run_worker()
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == 2100
    assert len([m for m in KafkaConsumer(settings.topics.sink_dlq, bootstrap_servers=settings.kafka.bootstrap_servers, auto_offset_reset="earliest", consumer_timeout_ms=3000)]) == 1


def test_setup_adds_new_fields_to_an_index_made_by_an_older_version(settings: Settings):
    from sinks.mappings import mentions_mappings

    es = connect(settings)
    index = mentions_index(settings.elasticsearch.index_prefix)
    old = mentions_mappings(languages=True)
    del old["properties"]["sentiment"], old["properties"]["intent"]
    es.indices.create(index=index, mappings=old)
    target = ElasticsearchSink(es, settings.elasticsearch.index_prefix)
    target.setup()
    properties = es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    assert properties["sentiment"]["properties"]["label"]["type"] == "keyword"
    assert properties["intent"]["type"] == "keyword"


def test_setup_refuses_a_conflicting_old_mapping_with_advice(settings: Settings):
    from sinks.elasticsearch import MappingConflict
    from sinks.mappings import mentions_mappings

    es = connect(settings)
    index = mentions_index(settings.elasticsearch.index_prefix)
    old = mentions_mappings(languages=True)
    old["properties"]["intent"] = {"type": "long"}
    es.indices.create(index=index, mappings=old)
    with pytest.raises(MappingConflict, match="MAPPING_VERSION"):
        ElasticsearchSink(es, settings.elasticsearch.index_prefix).setup()
