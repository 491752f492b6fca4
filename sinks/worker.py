"""The sink loop: poll Kafka, batch, write, dead-letter, commit.

At-least-once: a partition's offsets are committed only after the target acknowledged every
record of the batch up to them (the refused ones being safely on the dead-letter topic).
Targets write under deterministic ids, so a record written twice is as if written once.

Partitions are shared out among ``Batching.lanes`` lanes, each writing one batch at a time:
the target works on several batches at once, and a partition's records stay in order (a
document's later version is never overtaken by an earlier one). Only the main thread touches
the Kafka consumer, which is not thread-safe; lanes only call the target. A backed-up lane
holds back reading (see :meth:`SinkWorker._poll`) rather than buffer without bound.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata

from core import kafka_clients
from core.dead_letters import envelope
from core.metrics import BATCH_SECONDS, CONSUMED, ERRORS, LAG_EVERY_S, PRODUCED, set_lag
from core.settings import Settings
from sinks.base import Batching, Record, Rejected, Sink, TransientError
from sinks.membership import GroupWatch

log = logging.getLogger(__name__)


class Stopped(Exception):
    """Stop was asked while the target was failing: leave without committing."""


@dataclass
class _Lane:
    pending: list[Record] = field(default_factory=list)
    first_at: float = 0.0
    writing: list[Record] | None = None
    future: Future | None = None
    started: float = 0.0


class SinkWorker:
    """Consumes ``topics`` as consumer group ``group_id`` and feeds the sink (see the module doc)."""

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
        self._kafka = settings.kafka
        self._consumer_config = dict(
            group_id=group_id,
            max_poll_records=batching.max_records,
            # Without the optional (LGPL) crc32c package, kafka-python checks CRC32C in pure
            # Python, about a third of the sink's CPU. The broker validates CRCs on produce and
            # TCP checksums the transfer, so the consumer-side check buys little for its cost.
            check_crcs=False,
        )
        self._topics = topics
        self._consumer = self._new_consumer()
        self._group_watch = GroupWatch(settings.kafka, group_id, after_s=settings.out_of_group_s)
        self._dlq = kafka_clients.producer(settings.kafka, f"{name}-dlq", linger_ms=5)
        self._flush_timeout_s = kafka_clients.flush_timeout_s(settings.kafka)
        self._lanes = [_Lane() for _ in range(batching.lanes)]
        self._blocked_since: float | None = None
        self._lag_reported = 0.0
        self._read_to: dict[tuple[str, int], int] = {}  # next offset to read, per partition
        self._lane_index: dict[tuple[str, int], int] = {}
        self._pool = ThreadPoolExecutor(max_workers=batching.lanes, thread_name_prefix=f"{name}-lane")
        self.looped_at = time.monotonic()  # when the loop last came round (see healthy)

    # -- the loop ------------------------------------------------------------------------

    def run(self, idle_exit_s: float | None = None) -> None:
        """Loop until :meth:`stop` (or, with ``idle_exit_s``, until nothing happened for that long)."""
        self.sink.setup()
        last_activity = time.monotonic()
        try:
            while not self.stopping.is_set():
                self.looped_at = time.monotonic()
                # Reap and relaunch before polling: _poll may wait for a lane, and a lane
                # that just finished must not sit idle behind that wait.
                reaped = self._reap()
                launched = self._launch_due()
                routed = self._route(self._poll())
                launched = self._launch_due() or launched
                # Joining, a rebalance waiting out a dead member, or writing: not idle.
                waiting = not self._consumer.assignment() or self._busy()
                if reaped or routed or launched or waiting:
                    last_activity = time.monotonic()
                if idle_exit_s is not None and time.monotonic() - last_activity > idle_exit_s:
                    break
            self._finish()
        except Stopped:
            log.info("stopped before the target took every batch; the rest will be read again")
        self.close()

    def stop(self) -> None:
        self.stopping.set()

    def healthy(self, stall_s: float) -> bool:
        """Not stopping, and the loop came round in the last ``stall_s`` seconds.

        Each round is short (polls wait 0.1 s, a backed-up lane 0.5 s), so a longer gap is a
        hang, such as kafka-python 3.0.12's ``poll`` waiting forever inside ``send_fetches``
        while the process stays up and serves ``/metrics`` (guarded by
        tests/sinks/test_elasticsearch_sink.py::test_the_worker_is_healthy_only_while_its_loop_comes_round).
        """
        return not self.stopping.is_set() and time.monotonic() - self.looped_at < stall_s

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._consumer.close(autocommit=False)
        self._dlq.close()

    def _lane_of(self, topic: str, partition: int) -> _Lane:
        # Round robin over the partitions as they first show up: even shares, stable order.
        key = (topic, partition)
        if key not in self._lane_index:
            self._lane_index[key] = len(self._lane_index) % len(self._lanes)
        return self._lanes[self._lane_index[key]]

    def _poll(self) -> list[Record]:
        """The next records, unless a lane is backed up: then wait for a lane to finish.

        Waiting, not pausing: pausing partitions on every full lane and resuming them makes
        kafka-python drop and fetch again what it had buffered, and pausing only some can
        leave them unfetched after resuming. The background heartbeat keeps the membership
        meanwhile. After 30 s backed up (the target down, every lane retrying) all partitions
        are paused and polling resumes, since the group evicts a consumer that does not poll
        within ``max.poll.interval.ms``.
        """
        if self._backed_up():
            running = [lane.future for lane in self._lanes if lane.future is not None]
            wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            if not self._backed_up():
                self._blocked_since = None
                return []
            self._blocked_since = self._blocked_since or time.monotonic()
            if time.monotonic() - self._blocked_since < 30:
                return []
            self._consumer.pause(*self._consumer.assignment())
        elif self._consumer.paused():
            self._consumer.resume(*self._consumer.paused())
            self._blocked_since = None
        records = []
        for batch in self._consumer.poll(timeout_ms=100, max_records=self.batching.max_records).values():
            for msg in batch:
                records.append(Record(msg.topic, msg.partition, msg.offset, msg.key, msg.value))
                CONSUMED.labels(self.name, msg.topic).inc()
            if batch:
                self._read_to[(batch[-1].topic, batch[-1].partition)] = batch[-1].offset + 1
        self._report_lag()
        if self._group_watch.stuck(self._consumer):
            self._replace_consumer()
        return records

    def _replace_consumer(self) -> None:
        """Start over with a new consumer (see ``sinks.membership``). It holds no
        partitions, so nothing read is pending and nothing is left to commit."""
        log.warning("the consumer has no partitions and is not in its group: starting a new one",
                    extra={"group": self._consumer_config["group_id"]})
        ERRORS.labels(self.name, "consumer out of group").inc()
        try:
            self._consumer.close(autocommit=False, timeout_ms=5000)
        except Exception as err:  # it was broken already; the new one is what matters
            log.warning("closing the old consumer failed", extra={"error": repr(err)})
        self._consumer = self._new_consumer()
        self._group_watch.reset()

    def _new_consumer(self, metadata_timeout_s: float = 30.0) -> KafkaConsumer:
        """A consumer subscribed to our topics that knows their partitions before it first
        joins the group: joining first, kafka-python 3.0.12 can be given an assignment without
        them ("No partition metadata for topic ...") and stay out of the group (guarded by
        tests/sinks/test_membership.py)."""
        consumer = kafka_clients.consumer(self._kafka, self.name, *self._topics, **self._consumer_config)
        deadline = time.monotonic() + metadata_timeout_s
        while missing := [t for t in self._topics if not consumer.partitions_for_topic(t)]:
            if time.monotonic() > deadline:  # not created yet: the group will wait for them
                log.warning("topics without partitions yet", extra={"topics": missing})
                break
            time.sleep(0.5)
        return consumer

    def _report_lag(self) -> None:
        """Behind how many messages each assigned partition is: its end (known from the last
        fetch, no request) minus the next offset we read. ``consumer.position`` is not used:
        it may ask the group coordinator, a network round trip inside the poll loop."""
        if time.monotonic() - self._lag_reported < LAG_EVERY_S:
            return
        self._lag_reported = time.monotonic()
        lags = {}
        for tp in self._consumer.assignment():
            end = self._consumer.highwater(tp)
            read_to = self._read_to.get((tp.topic, tp.partition))
            if end is not None and (read_to is not None or end == 0):
                lags[(tp.topic, tp.partition)] = end - (read_to or 0)
        set_lag(self.name, lags)

    def _backed_up(self) -> bool:
        """A lane is writing and already holds two batches more: read no further for now."""
        return any(lane.future is not None and len(lane.pending) >= 2 * self.batching.max_records for lane in self._lanes)

    def _route(self, records: list[Record]) -> bool:
        for record in records:
            lane = self._lane_of(record.topic, record.partition)
            if not lane.pending:
                lane.first_at = time.monotonic()
            lane.pending.append(record)
        return bool(records)

    def _busy(self) -> bool:
        return any(lane.future is not None or lane.pending for lane in self._lanes)

    # -- writing, on the lanes -----------------------------------------------------------

    def _launch_due(self) -> bool:
        launched = False
        for lane in self._lanes:
            due = time.monotonic() - lane.first_at >= self.batching.max_wait_s
            enough = len(lane.pending) >= self.batching.min_records
            if lane.future is None and lane.pending and (enough or due):
                lane.writing = lane.pending[: self.batching.max_records]
                lane.pending = lane.pending[self.batching.max_records :]
                lane.first_at = time.monotonic()
                lane.started = time.monotonic()
                lane.future = self._pool.submit(self._write_until_accepted, lane.writing)
                launched = True
        return launched

    def _write_until_accepted(self, batch: list[Record]) -> list[Rejected]:
        delay = self.batching.backoff_initial_s
        while True:
            try:
                return self.sink.write(batch)
            except TransientError as err:
                ERRORS.labels(self.name, "transient").inc()
                log.warning("target unavailable, retrying", extra={"error": str(err), "retry_in_s": round(delay, 2)})
                if self.stopping.wait(delay + random.uniform(0, delay / 2)):
                    raise Stopped from err
                delay = min(delay * 2, self.batching.backoff_max_s)

    def _reap(self) -> bool:
        """Dead-letter and commit every finished batch; True if there was one."""
        reaped = False
        for lane in self._lanes:
            if lane.future is None or not lane.future.done():
                continue
            batch, future = lane.writing, lane.future
            lane.writing, lane.future = None, None
            self._dead_letter_all(future.result())  # result() raises Stopped: nothing of it is committed
            self._commit(batch)
            BATCH_SECONDS.labels(self.name).observe(time.monotonic() - lane.started)
            reaped = True
        return reaped

    def _finish(self, grace_s: float = 10.0) -> None:
        """Before leaving: write what was read and commit it, for up to ``grace_s`` once
        stopped. Whatever is left uncommitted is simply read again by the next owner."""
        deadline = time.monotonic() + grace_s
        self._consumer.pause(*self._consumer.assignment())  # nothing new from here on
        while self._busy() and (not self.stopping.is_set() or time.monotonic() < deadline):
            self._reap()
            for lane in self._lanes:
                lane.first_at = 0.0  # everything pending is due now
            self._launch_due()
            self._route(self._poll_paused())
        self._reap()

    def _poll_paused(self) -> list[Record]:
        records = []
        for batch in self._consumer.poll(timeout_ms=50).values():  # paused: only what was already in flight
            records += [Record(m.topic, m.partition, m.offset, m.key, m.value) for m in batch]
        return records

    def _dead_letter_all(self, items: list[Rejected]) -> None:
        """Put every rejected record on the dead-letter topic; return once Kafka has them all.

        The batch's offsets are committed next, so a letter Kafka never took (the broker down
        for longer than the producer's delivery timeout) would lose its record: letters not
        acknowledged are sent again, with backoff, until Kafka takes them or the worker is
        stopped (then :class:`Stopped` is raised and nothing is committed).
        """
        for item in items:
            rec = item.record
            ERRORS.labels(self.name, "rejected").inc()
            log.warning("record rejected", extra={"topic": rec.topic, "offset": rec.offset, "reason": item.reason})
        delay = self.batching.backoff_initial_s
        while items:
            sent = [(item, self._send_letter(item)) for item in items]
            try:
                self._dlq.flush(timeout=self._flush_timeout_s)  # bounded: see kafka_clients.flush_timeout_s
            except KafkaTimeoutError:
                pass  # what is not done yet is sent again below
            items = [item for item, future in sent if future is None or not future.succeeded()]
            if items:
                log.warning("dead letters not acknowledged by Kafka; sending them again",
                            extra={"letters": len(items), "retry_in_s": round(delay, 2)})
                if self.stopping.wait(delay):
                    raise Stopped
                delay = min(delay * 2, self.batching.backoff_max_s)

    def _send_letter(self, item: Rejected):  # -> FutureRecordMetadata | None
        rec = item.record
        body = envelope(item.reason, self.name, rec.topic, rec.partition, rec.offset, rec.key, rec.value)
        try:
            future = self._dlq.send(self.dlq_topic, key=rec.key, value=body)
        except KafkaError as err:  # e.g. no metadata within max_block_ms: Kafka is unreachable
            log.warning("dead letter not sent", extra={"error": str(err)})
            return None
        PRODUCED.labels(self.name, self.dlq_topic).inc()
        return future

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
        except KafkaError as err:
            # The broker or the group coordinator is unreachable (a broker restart). The
            # documents are written; the next batch's commit covers these offsets (they only
            # grow per partition), or a restart re-reads them and overwrites the same ids.
            # At-least-once, never lost (guarded by tests/faults/test_kafka_restart.py).
            ERRORS.labels(self.name, "commit").inc()
            log.warning("commit failed, Kafka unreachable; a later commit covers it", extra={"error": str(err)})
