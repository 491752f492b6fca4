"""Connector cursors in the compacted ``ingest.state`` topic: where each source stopped.

Key = source name, value = the cursor as JSON. Compaction keeps the newest cursor per
source forever, so a worker restarted anywhere reads the topic from the start to its end
and resumes every source where its last acknowledged checkpoint left it. A cursor is
written only after the mentions it covers were acknowledged by Kafka (see the runner).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from core import kafka_clients
from core.settings import Settings
from core.topics import read_to_end

log = logging.getLogger(__name__)


class CursorStore:
    """Reads every source's last cursor once, then writes new ones synchronously (acks=all)."""

    def __init__(self, settings: Settings, topic: str | None = None):
        self.topic = topic or settings.topics.ingest_state
        self._kafka = settings.kafka
        # No linger: each save waits for its acknowledgement, one record at a time.
        self._producer = kafka_clients.producer(settings.kafka, "ingest-state", linger_ms=0)
        self._cursors = self._read_all()

    def _read_all(self) -> dict[str, dict[str, Any]]:
        cursors: dict[str, dict[str, Any]] = {}
        for key, value in read_to_end(self._kafka, self.topic):
            self._apply(cursors, key, value)
        return cursors

    @staticmethod
    def _apply(cursors: dict[str, dict[str, Any]], key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        name = key.decode(errors="replace")
        if value is None:  # a tombstone: the source was reset
            cursors.pop(name, None)
            return
        try:
            cursors[name] = json.loads(value)
        except ValueError:
            # A damaged cursor must not stop the worker: that source starts over, and the
            # deterministic ids keep the re-read from doubling anything downstream.
            log.error("unreadable cursor ignored", extra={"source": name})

    def get(self, source: str) -> dict[str, Any]:
        return dict(self._cursors.get(source, {}))

    def save(self, source: str, cursor: dict[str, Any], timeout_s: float = 30) -> None:
        value = json.dumps(cursor, sort_keys=True, default=str).encode()
        self._producer.send(self.topic, key=source.encode(), value=value).get(timeout=timeout_s)
        self._cursors[source] = json.loads(value)

    def reset(self, source: str, timeout_s: float = 30) -> None:
        """Forget a source's cursor (a tombstone): its next run starts from scratch."""
        self._producer.send(self.topic, key=source.encode(), value=None).get(timeout=timeout_s)
        self._cursors.pop(source, None)

    def close(self) -> None:
        self._producer.close()
