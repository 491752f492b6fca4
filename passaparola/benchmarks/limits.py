"""The physical limits of this machine for each stage, measured in the same run as the
pipeline: a bare client loop producing to and consuming from Kafka, the pure enrichment on
one core, and Elasticsearch's own bulk helper. Each is what the stage could do with
nothing else of ours in the way; the pipeline's figures are reported as fractions of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import TopicPartition

from core import kafka_clients
from core.schema import Mention
from core.settings import Settings
from core.topics import TopicSpec, ensure_topics


@dataclass(frozen=True)
class Limits:
    kafka_produce_per_s: float
    kafka_consume_per_s: float
    enrich_per_s: float
    es_bulk_per_s: float
    message_bytes: float


def kafka_produce(settings: Settings, topic: str, payloads: list[bytes]) -> float:
    """Messages per second from one producer loop (acks=all, idempotent, 20 ms linger,
    256 KiB batches, uncompressed), until all are acknowledged."""
    ensure_topics(settings, [TopicSpec(topic, settings.kafka.partitions, settings.kafka.replication_factor)])
    # Uncompressed: the limit is the client loop's own cost, not gzip's.
    with kafka_clients.producer(settings.kafka, "bench-limits", compression_type=None, linger_ms=20,
                                batch_size=256 * 1024) as producer:
        start = time.perf_counter()
        for n, value in enumerate(payloads):
            producer.send(topic, key=str(n % 997).encode(), value=value)
        producer.flush()
        return len(payloads) / (time.perf_counter() - start)


def kafka_consume(settings: Settings, topic: str, count: int) -> float:
    """Messages per second read back by one consumer loop (no group, no processing)."""
    with kafka_clients.consumer(settings.kafka, "bench-limits", max_partition_fetch_bytes=4 * 1024 * 1024) as consumer:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        seen, start = 0, time.perf_counter()
        while seen < count:
            for records in consumer.poll(timeout_ms=1000, max_records=10_000).values():
                seen += len(records)
        return seen / (time.perf_counter() - start)


def enrich_one_core(mentions: list[Mention]) -> tuple[float, list[Mention]]:
    """Mentions per second through the pure enrichment in this process (one core), and the
    enriched mentions (the documents of the bulk measurement)."""
    from passaparola.demo.generator import DEMO_BRANDS
    from streams.enrichment.enricher import Enricher

    enricher = Enricher(DEMO_BRANDS)
    start = time.perf_counter()
    enriched = [enricher.enrich(mention) for mention in mentions]
    return len(mentions) / (time.perf_counter() - start), enriched


def measure(settings: Settings, mentions: list[Mention]) -> Limits:
    """Every limit over the same mentions (``settings`` are a scratch namespace's)."""
    from passaparola.benchmarks.sink import straight_parallel_bulk

    payloads = [m.to_json() for m in mentions]
    topic = f"{settings.kafka.client_id}.limits"
    produce = kafka_produce(settings, topic, payloads)
    consume = kafka_consume(settings, topic, len(payloads))
    enrich, enriched = enrich_one_core(mentions)
    bulk = straight_parallel_bulk(settings, enriched, 1000)
    return Limits(produce, consume, enrich, bulk, sum(map(len, payloads)) / len(payloads))
