"""Records on ``ingest.errors``: what a source sent that we could not use, and why.

One JSON record per problem: the source and its kind, the reason in one line, where
(the URL without its user info or query string, which may hold a password or a token), a sample of the input
(capped), and when. Dashboards and operators read this topic. Only :meth:`ErrorSink.flush`
raises, when a record did not reach Kafka.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from core.logs import redact_url
from core.metrics import ERRORS, PRODUCED
from core.settings import Settings
from ingest.acked import AckedProducer, ProduceError

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

    def __init__(self, settings: Settings, worker: str = "ingest"):
        self.topic = settings.topics.ingest_errors
        self.worker = worker
        self.sample_chars = settings.ingest.error_sample_chars
        self._producer = AckedProducer(settings.kafka, f"{worker}-errors", "ingest error record")
        self.count = 0
        self._unsent = False

    def record(self, source: str, kind: str, reason: str, sample: str | bytes = "", url: str | None = None) -> None:
        record = error_record(source, kind, reason, sample, url, self.sample_chars)
        log.warning("ingest error", extra={k: record[k] for k in ("source", "kind", "reason", "url")})
        ERRORS.labels(self.worker, "ingest").inc()
        try:
            self._producer.send(self.topic, source.encode(), json.dumps(record, ensure_ascii=False).encode(), source)
        except ProduceError as err:
            # Logged above; the flush before the next checkpoint raises for it, so the input is read again.
            log.error("ingest error record not sent", extra={"source": source, "error": str(err)})
            self._unsent = True
            return
        PRODUCED.labels(self.worker, self.topic).inc()
        self.count += 1

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every error record is acknowledged; :class:`~ingest.producer.ProduceError`
        if one was not (a checkpoint must not pass input whose error record is lost)."""
        unsent, self._unsent = self._unsent, False
        self._producer.flush(timeout_s)
        if unsent:
            raise ProduceError("an ingest error record could not be sent to Kafka")

    def close(self) -> None:
        self._producer.close()
