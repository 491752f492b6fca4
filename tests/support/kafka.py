"""Reading what the workers under test wrote to Kafka, through the product's client factory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import kafka_clients
from core.settings import KafkaSettings, Settings
from tests.support.waits import wait_steady

if TYPE_CHECKING:
    from kafka.consumer.fetcher import ConsumerRecord


def read_records(kafka: KafkaSettings | str, topic: str) -> list[ConsumerRecord]:
    """Every record of ``topic`` from the beginning to its current end, with partition, offset
    and headers (``core.topics.read_to_end`` gives keys and values only); no group, no idle wait."""
    from kafka import TopicPartition

    with kafka_clients.consumer(kafka, "test-reader") as consumer:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end, found = consumer.end_offsets(partitions), []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                found.extend(batch)
        return found


def wait_quiet(kafka: KafkaSettings | str, *topics: str, quiet_s: float = 2.0, timeout_s: float = 60) -> None:
    """Wait until nothing is appended to ``topics`` for ``quiet_s``: what a worker still had in
    flight has landed (a record that should not be there would be there by now)."""
    from kafka import TopicPartition

    with kafka_clients.consumer(kafka, "test-quiet") as consumer:
        partitions = [TopicPartition(topic, p) for topic in topics for p in consumer.partitions_for_topic(topic) or ()]
        wait_steady(lambda: consumer.end_offsets(partitions), quiet_s, timeout_s,
                    f"{', '.join(topics)} quiet for {quiet_s:g} s")


def lag(settings: Settings, group: str, topic: str) -> int | None:
    """Messages of ``topic`` that ``group`` has not committed; None while that cannot be told
    (the group has not committed yet, a new broker still creating its offsets topic)."""
    from passaparola.demo.pipeline import consumer_lag

    try:
        return consumer_lag(settings, group, topic)
    except Exception:  # noqa: BLE001 - see above
        return None


def offsets_behind(settings: Settings, group: str, topic: str) -> str:
    """Each partition of ``topic`` the group has not committed to its end, as
    ``partition: committed/end``: what a failed wait on lag reports."""
    from kafka import TopicPartition

    from core.topics import end_offsets

    with kafka_clients.admin(settings.kafka, "test-lag") as admin:
        committed = admin.list_group_offsets(group).get(group, {})
    behind = []
    for partition, end in sorted(end_offsets(settings.kafka.bootstrap_servers, topic).items()):
        done = committed[tp].offset if (tp := TopicPartition(topic, partition)) in committed else None
        if done != end:
            behind.append(f"{partition}: {done}/{end}")
    return f"{topic} " + (", ".join(behind) or "all committed")
