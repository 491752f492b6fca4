"""Producing mentions to Kafka: acks=all, idempotent, keyed by thread, schema version in a header."""

from __future__ import annotations

from core.metrics import PRODUCED
from core.schema import SCHEMA_VERSION, Mention
from core.settings import Settings
from core.topics import SCHEMA_HEADER
from ingest.acked import AckedProducer, ProduceError

__all__ = ["MentionProducer", "MentionTooLarge", "ProduceError"]


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
        self._producer = AckedProducer(self._kafka, worker, "mention")

    def send(self, mention: Mention) -> None:
        """Send ``mention``; :class:`MentionTooLarge` when it exceeds ``kafka.max_message_bytes``,
        :class:`ProduceError` when Kafka cannot take it now."""
        value = mention.to_json()
        if len(value) > self._kafka.max_message_bytes:
            raise MentionTooLarge(f"mention of {len(value):,} bytes, more than kafka.max_message_bytes "
                                  f"({self._kafka.max_message_bytes:,})")
        self.send_json(mention.thread_id.encode(), value, mention.id)

    def send_json(self, key: bytes, value: bytes, mention_id: str) -> None:
        """Send a mention already serialised (benchmarks stamp it at the last moment)."""
        self._producer.send(self.topic, key, value, mention_id, headers=[(SCHEMA_HEADER, str(SCHEMA_VERSION).encode())])
        PRODUCED.labels(self.worker, self.topic).inc()

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every sent mention is acknowledged (acks=all); raise if any was not.

        Callers advance their cursors only after a clean flush: that is what makes
        ingestion at-least-once.
        """
        self._producer.flush(timeout_s)

    def close(self) -> None:
        self._producer.close()

    def __enter__(self) -> MentionProducer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()
        self.close()
