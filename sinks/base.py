"""The sink loop, apart from any one target: poll Kafka, batch, write, dead-letter, commit.

Delivery is at-least-once: offsets are committed only after the target acknowledged the
whole batch (or the rejected part is safely on the dead-letter topic). Targets make that
exactly-once in effect by writing under deterministic ids.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from passaparola.config import Settings
from passaparola.deadletter import envelope
from passaparola.metrics import BATCH_SECONDS, CONSUMED, ERRORS, PRODUCED

log = logging.getLogger(__name__)


def sink_group(settings: Settings) -> str:
    """The consumer group of the sink workers."""
    return f"{settings.kafka.client_id}-sink"


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


@dataclass(frozen=True)
class Rejected:
    """A record the target refused for its content: retrying would fail the same way."""

    record: Record
    reason: str


class _Stopped(Exception):
    """Stop was asked while the target was failing: leave without committing."""


class TransientError(RuntimeError):
    """The target could not take the batch now (down, overloaded): retry the whole batch."""


class Sink(ABC):
    """A target: ``setup`` once, then ``write`` batches.

    ``write`` returns the records it rejected for their content; it raises
    :class:`TransientError` when nothing can be written now. Writing the same record twice
    must leave the target as if written once.
    """

    @abstractmethod
    def setup(self) -> None: ...

    @abstractmethod
    def write(self, batch: list[Record]) -> list[Rejected]: ...


@dataclass(frozen=True)
class Batching:
    """How the loop batches and retries.

    Attributes:
        max_records: write when this many records are waiting.
        max_wait_s: write at least this often when records are waiting.
        backoff_initial_s: first pause after a transient failure; doubles each time.
        backoff_max_s: longest pause between retries (jitter is added on top).
    """

    max_records: int = 1000
    max_wait_s: float = 1.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0


class SinkWorker:
    """Consumes ``topics`` as consumer group ``group_id`` and feeds the sink.

    While the target is failing, the assigned partitions are paused: the consumer keeps
    polling (so the group does not evict it) but fetches nothing, instead of buffering
    without bound.
    """

    def __init__(
        self,
        settings: Settings,
        sink: Sink,
        topics: list[str],
        group_id: str,
        dlq_topic: str,
        batching: Batching = Batching(),
        name: str = "sink",
    ):
        self.sink, self.batching, self.name, self.dlq_topic = sink, batching, name, dlq_topic
        self.stopping = threading.Event()
        self._consumer = KafkaConsumer(
            *topics,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            client_id=f"{settings.kafka.client_id}-{name}",
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=batching.max_records,
        )
        self._held: list[Record] = []  # read while paused, delivered with the next batch
        self._dlq = KafkaProducer(
            bootstrap_servers=settings.kafka.bootstrap_servers, acks="all", enable_idempotence=True, linger_ms=5
        )

    def run(self, idle_exit_s: float | None = None) -> None:
        """Loop until :meth:`stop` (or, with ``idle_exit_s``, until nothing happened for that long)."""
        self.sink.setup()
        pending: list[Record] = []
        first_at = last_activity = time.monotonic()
        try:
            while not self.stopping.is_set():
                fresh = self._held + self._poll(200)
                self._held = []
                if fresh:
                    if not pending:
                        first_at = time.monotonic()
                    pending += fresh
                    last_activity = time.monotonic()
                if not self._consumer.assignment():
                    # Joining, or a rebalance waiting out a dead member's session: not idle.
                    last_activity = time.monotonic()
                due = time.monotonic() - first_at >= self.batching.max_wait_s
                if pending and (len(pending) >= self.batching.max_records or due):
                    self._deliver(pending)
                    pending, last_activity = [], time.monotonic()
                if idle_exit_s is not None and not pending and time.monotonic() - last_activity > idle_exit_s:
                    break
            if pending:
                self._deliver(pending)
        except _Stopped:
            log.info("stopped before the target took the batch; it will be read again")
        self.close()

    def stop(self) -> None:
        self.stopping.set()

    def close(self) -> None:
        self._consumer.close(autocommit=False)
        self._dlq.close()

    def _poll(self, timeout_ms: int) -> list[Record]:
        records = []
        for batch in self._consumer.poll(timeout_ms=timeout_ms, max_records=self.batching.max_records).values():
            for msg in batch:
                records.append(Record(msg.topic, msg.partition, msg.offset, msg.key, msg.value))
                CONSUMED.labels(self.name, msg.topic).inc()
        return records

    def _deliver(self, batch: list[Record]) -> None:
        started = time.monotonic()
        rejected = self._write_until_accepted(batch)
        for item in rejected:
            self._dead_letter(item)
        self._dlq.flush()
        self._commit(batch)
        BATCH_SECONDS.labels(self.name).observe(time.monotonic() - started)

    def _write_until_accepted(self, batch: list[Record]) -> list[Rejected]:
        delay = self.batching.backoff_initial_s
        while True:
            try:
                return self.sink.write(batch)
            except TransientError as err:
                ERRORS.labels(self.name, "transient").inc()
                log.warning("target unavailable, retrying", extra={"error": str(err), "retry_in_s": round(delay, 2)})
                self._wait_paused(delay + random.uniform(0, delay / 2))
                delay = min(delay * 2, self.batching.backoff_max_s)

    def _wait_paused(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stopping.is_set():
                raise _Stopped
            # Paused partitions fetch nothing, but polling keeps us in the group. Pause on
            # every turn: a rebalance can hand us partitions that are not paused yet, and
            # whatever they deliver is held for the next batch, never dropped.
            self._consumer.pause(*self._consumer.assignment())
            self._held += self._poll(100)
        self._consumer.resume(*self._consumer.paused())

    def _dead_letter(self, item: Rejected) -> None:
        rec = item.record
        ERRORS.labels(self.name, "rejected").inc()
        log.warning("record rejected", extra={"topic": rec.topic, "offset": rec.offset, "reason": item.reason})
        body = envelope(item.reason, self.name, rec.topic, rec.partition, rec.offset, rec.key, rec.value)
        self._dlq.send(self.dlq_topic, key=rec.key, value=body)
        PRODUCED.labels(self.name, self.dlq_topic).inc()

    def _commit(self, batch: list[Record]) -> None:
        last: dict[TopicPartition, int] = {}
        for rec in batch:
            tp = TopicPartition(rec.topic, rec.partition)
            last[tp] = max(last.get(tp, -1), rec.offset)
        try:
            self._consumer.commit({tp: OffsetAndMetadata(off + 1, "", -1) for tp, off in last.items()})
        except CommitFailedError as err:
            # The group rebalanced under us: the new owner reads these records again and
            # overwrites the same ids. At-least-once, never lost.
            log.warning("commit refused after a rebalance; records will be re-read", extra={"error": str(err)})
