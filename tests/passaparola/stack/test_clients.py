"""The Python clients the workers use, against the real services: 10k messages and documents each."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from elasticsearch import helpers
from kafka import KafkaConsumer, KafkaProducer

from core.elastic import connect
from core.settings import Settings
from core.topics import TopicSpec, ensure_topics

pytestmark = pytest.mark.integration
N = 10_000


def _topic(settings: Settings, name: str) -> str:
    ensure_topics(settings, [TopicSpec(name, 3, 1)])
    return name


def _check_order(received: list[tuple[bytes, bytes]]) -> None:
    """All N arrived once, and each key's values in the order they were sent."""
    assert len(received) == N
    assert len({value for _, value in received}) == N
    by_key = defaultdict(list)
    for key, value in received:
        by_key[key].append(int(value))
    assert all(values == sorted(values) for values in by_key.values())


def test_kafka_python_produces_and_consumes_10k(settings: Settings, tag: str):
    topic = _topic(settings, f"{tag}.kp")
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", enable_idempotence=True)
    for i in range(N):
        producer.send(topic, key=f"k{i % 37}".encode(), value=str(i).encode())
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka.bootstrap_servers,
        group_id=f"{tag}-g",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=10_000,
    )
    received = []
    for msg in consumer:
        received.append((msg.key, msg.value))
        if len(received) == N:
            break
    consumer.commit()
    consumer.close()
    _check_order(received)


def test_aiokafka_produces_and_consumes_10k(settings: Settings, tag: str):
    topic = _topic(settings, f"{tag}.aio")

    async def roundtrip() -> list[tuple[bytes, bytes]]:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for i in range(N):
                await producer.send(topic, key=f"k{i % 37}".encode(), value=str(i).encode())
            await producer.flush()
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=settings.kafka.bootstrap_servers, group_id=f"{tag}-g", auto_offset_reset="earliest"
        )
        await consumer.start()
        received = []
        try:
            while len(received) < N:
                batches = await asyncio.wait_for(consumer.getmany(timeout_ms=1000), timeout=30)
                received += [(m.key, m.value) for msgs in batches.values() for m in msgs]
        finally:
            await consumer.stop()
        return received

    _check_order(asyncio.run(roundtrip()))


def test_elasticsearch_indexes_and_searches_10k(settings: Settings, tag: str):
    es = connect(settings)
    index = f"{tag}-docs"
    es.indices.create(
        index=index,
        mappings={"properties": {"text": {"type": "text", "analyzer": "italian"}, "n": {"type": "integer"},
                                 "kind": {"type": "keyword"}}},
    )
    words = ["consegna in ritardo", "ottimo caffè", "app bloccata", "servizio clienti gentile"]
    actions = ({"_index": index, "_id": str(i), "_source": {"text": words[i % 4], "n": i, "kind": f"k{i % 4}"}} for i in range(N))
    ok, errors = helpers.bulk(es, actions, chunk_size=2000, refresh="wait_for")
    assert ok == N and not errors
    assert es.count(index=index)["count"] == N
    # Italian stemming: the plural finds the singular.
    assert es.count(index=index, query={"match": {"text": "consegne ritardate"}})["count"] == N // 4
    aggs = es.search(index=index, size=0, aggs={"k": {"terms": {"field": "kind"}}, "s": {"sum": {"field": "n"}}})["aggregations"]
    assert {b["key"]: b["doc_count"] for b in aggs["k"]["buckets"]} == {f"k{i}": N // 4 for i in range(4)}
    assert aggs["s"]["value"] == N * (N - 1) / 2
    es.indices.delete(index=index)
