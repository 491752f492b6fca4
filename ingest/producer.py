"""Producing mentions to Kafka: acks=all, idempotent, keyed by thread, schema version in a header."""

from __future__ import annotations

import logging

from core import kafka_clients
from core.metrics import PRODUCED
from core.schema import SCHEMA_VERSION, Mention
from core.settings import Settings
from core.topics import SCHEMA_HEADER

log = logging.getLogger(__name__)


class ProduceError(RuntimeError):
    """Kafka did not acknowledge some mentions."""


class MentionTooLarge(ValueError):
    """A mention larger than ``kafka.max_message_bytes``: not sent."""


class MentionProducer:
    """Writes mentions to ``topic`` (default: mentions.raw).

    The key is the thread id, so a thread's messages stay ordered in one partition and a
    reply reaches the reply tracker after what it answers whenever the source allows.
    """

    def __init__(self, settings: Settings, topic: str | None = None, worker: str = "ingest"):
        self.topic = topic or settings.topics.mentions_raw
        self.worker = worker
        self._kafka = settings.kafka
        self._producer = kafka_clients.producer(self._kafka, worker)
        self._failures: list[str] = []

    def send(self, mention: Mention) -> None:
        """Send ``mention``; :class:`MentionTooLarge` when it exceeds ``kafka.max_message_bytes``."""
        value = mention.to_json()
        if len(value) > self._kafka.max_message_bytes:
            raise MentionTooLarge(f"mention of {len(value):,} bytes, more than kafka.max_message_bytes "
                                  f"({self._kafka.max_message_bytes:,})")
        self._producer.send(
            self.topic,
            key=mention.thread_id.encode(),
            value=value,
            headers=[(SCHEMA_HEADER, str(SCHEMA_VERSION).encode())],
        ).add_errback(self._failed, mention.id)
        PRODUCED.labels(self.worker, self.topic).inc()

    def send_json(self, key: bytes, value: bytes, mention_id: str) -> None:
        """Send a mention already serialised (benchmarks stamp it at the last moment)."""
        self._producer.send(self.topic, key=key, value=value, headers=[(SCHEMA_HEADER, str(SCHEMA_VERSION).encode())]
                            ).add_errback(self._failed, mention_id)
        PRODUCED.labels(self.worker, self.topic).inc()

    def _failed(self, mention_id: str, error: Exception) -> None:
        log.error("produce failed", extra={"mention_id": mention_id, "error": repr(error)})
        self._failures.append(mention_id)

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every sent mention is acknowledged (acks=all); raise if any was not.

        Callers advance their cursors only after a clean flush: that is what makes
        ingestion at-least-once.
        """
        self._producer.flush(timeout=timeout_s)
        failed, self._failures = self._failures, []
        if failed:
            # An idempotent producer treats a refused batch as fatal and refuses all later
            # sends: start a fresh one so the worker goes on after reporting the failure
            # (guarded by tests/ingest/test_producer.py::test_flush_raises_when_the_broker_refuses).
            self._producer.close(timeout=5)
            self._producer = kafka_clients.producer(self._kafka, self.worker)
            raise ProduceError(f"{len(failed)} mention(s) not acknowledged by Kafka, first {failed[0]}")

    def close(self) -> None:
        self._producer.close()

    def __enter__(self) -> MentionProducer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()
        self.close()
