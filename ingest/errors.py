"""Records on ``ingest.errors``: what a source sent that we could not use, and why.

One JSON record per problem: the source and its kind, the reason in one line, where
(the URL without its user info or query string, which may hold a password or a token), a sample of the input
(capped), and when. Dashboards and operators read this topic; nothing here raises.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from kafka import KafkaProducer

from core import kafka_clients
from core.logs import redact_url
from core.metrics import ERRORS, PRODUCED
from core.settings import Settings

log = logging.getLogger(__name__)


def error_record(source: str, kind: str, reason: str, sample: str | bytes = "", url: str | None = None,
                 sample_chars: int = 500) -> dict:
    if isinstance(sample, bytes):
        sample = sample.decode("utf-8", errors="replace")
    return {
        "source": source,
        "kind": kind,
        "reason": reason,
        "url": redact_url(url) if url else None,
        "sample": sample[:sample_chars],
        "at": datetime.now(timezone.utc).isoformat(),
    }


class ErrorSink:
    """Writes error records to ``ingest.errors`` (key = source name) and logs them."""

    def __init__(self, settings: Settings, producer: KafkaProducer | None = None, worker: str = "ingest"):
        self.topic = settings.topics.ingest_errors
        self.worker = worker
        self.sample_chars = settings.ingest.error_sample_chars
        self._kafka = settings.kafka
        self._producer = producer or kafka_clients.producer(settings.kafka, f"{worker}-errors")
        self.count = 0
        self._failed: list[str] = []

    def record(self, source: str, kind: str, reason: str, sample: str | bytes = "", url: str | None = None) -> None:
        record = error_record(source, kind, reason, sample, url, self.sample_chars)
        log.warning("ingest error", extra={k: record[k] for k in ("source", "kind", "reason", "url")})
        ERRORS.labels(self.worker, "ingest").inc()
        self._producer.send(self.topic, key=source.encode(), value=json.dumps(record, ensure_ascii=False).encode()
                            ).add_errback(lambda error: self._failed.append(f"{source}: {type(error).__name__}"))
        PRODUCED.labels(self.worker, self.topic).inc()
        self.count += 1

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every error record is acknowledged; :class:`~ingest.producer.ProduceError`
        if one was not (a checkpoint must not pass input whose error record is lost)."""
        from ingest.producer import ProduceError

        self._producer.flush(timeout=timeout_s)
        failed, self._failed = self._failed, []
        if failed:
            # An idempotent producer refuses every send after a refused batch: a fresh one
            # goes on once the failure is reported (as MentionProducer.flush does).
            self._producer.close(timeout=5)
            self._producer = kafka_clients.producer(self._kafka, f"{self.worker}-errors")
            raise ProduceError(f"{len(failed)} ingest error record(s) not acknowledged by Kafka, first {failed[0]}")

    def close(self) -> None:
        self._producer.close()
