"""Kafka topics: their names come from settings, their shape is decided here, once."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import kafka_clients
from core.settings import KafkaSettings, Settings

SCHEMA_HEADER = "passaparola-schema"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """Every topic the pipeline uses, with partitions and retention policy."""
    t, k = settings.topics, settings.kafka
    data = dict(partitions=k.partitions, replication_factor=k.replication_factor)
    # Dead-letter and error topics keep a month: someone has to read them.
    keep_month = {"retention.ms": str(30 * 24 * 3600 * 1000)}
    return [
        TopicSpec(t.mentions_raw, **data),
        TopicSpec(t.mentions_enriched, **data),
        TopicSpec(t.replies, **data),
        TopicSpec(t.alerts, **data),
        # Clock ticks for the reply tracker, keyed by thread like mentions.enriched so a
        # thread's tick reaches the partition holding its state; a day is plenty.
        TopicSpec(t.reply_ticks, **data, config={"retention.ms": str(24 * 3600 * 1000)}),
        # Enriched mentions again, keyed by brand, for per-brand spike detection.
        TopicSpec(t.mentions_by_brand, **data, config={"retention.ms": str(24 * 3600 * 1000)}),
        # Alert ids the webhook notifier has posted: the latest per id is all it needs.
        TopicSpec(t.alerts_notified, 1, k.replication_factor, {"cleanup.policy": "compact"}),
        # Connector cursors: only the latest per source matters, so compact.
        TopicSpec(t.ingest_state, 1, k.replication_factor, {"cleanup.policy": "compact"}),
        TopicSpec(t.ingest_errors, 1, k.replication_factor, keep_month),
        TopicSpec(t.mentions_dlq, 1, k.replication_factor, keep_month),
        TopicSpec(t.sink_dlq, 1, k.replication_factor, keep_month),
    ]


def ensure_topics(settings: Settings, specs: list[TopicSpec] | None = None) -> list[str]:
    """Create the topics that do not exist yet; return the names created. Idempotent."""
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    specs = topic_specs(settings) if specs is None else specs
    with kafka_clients.admin(settings.kafka, "topics") as admin:
        missing = [s for s in specs if s.name not in set(admin.list_topics())]
        created = []
        for spec in missing:
            try:
                admin.create_topics([NewTopic(spec.name, spec.partitions, spec.replication_factor, topic_configs=spec.config)])
                created.append(spec.name)
            except TopicAlreadyExistsError:  # created meanwhile by another worker
                pass
        return created


def end_offsets(kafka: KafkaSettings | str, topic: str) -> dict[int, int]:
    """Partition -> the offset the next message appended to it will get (empty if no topic)."""
    from kafka import TopicPartition

    with kafka_clients.consumer(kafka, "offsets") as consumer:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}


def read_to_end(kafka: KafkaSettings | str, topic: str, starts: dict[int, int] | None = None
                ) -> list[tuple[bytes | None, bytes | None]]:
    """Every ``(key, value)`` of ``topic`` up to its current end, without a group: from the
    start of every partition, or from the offsets in ``starts`` (partition -> offset) only.

    For the small topics and spans a worker rebuilds its memory from at start (connector
    cursors, posted alert ids, what an interrupted run produced); tombstones come back as
    ``(key, None)``.
    """
    from kafka import TopicPartition

    with kafka_clients.consumer(kafka, "reader") as consumer:
        if starts is None:
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        else:
            partitions = [TopicPartition(topic, p) for p in starts]
        if not partitions:
            return []
        consumer.assign(partitions)
        if starts is None:
            consumer.seek_to_beginning(*partitions)
        else:
            for tp in partitions:
                consumer.seek(tp, starts[tp.partition])
        end, found = consumer.end_offsets(partitions), []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=1000).values():
                found += [(r.key, r.value) for r in records]
        return found
