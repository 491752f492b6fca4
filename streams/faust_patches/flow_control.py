"""The streams app's flow control and consumer, changed where Faust's own lose messages
on a (re)start or rebalance, hold commits back, or stall the group.

- :class:`KeepQueuedOnResume`: resuming flow keeps what the fetcher already queued;
  clearing (on revocation) still empties the queues and reports each dropped message.
- :class:`NoGapConsumer`: no "gap" bookkeeping, no commit past an unacknowledged offset,
  no wait for a message dropped from a queue, no commit while it seeks, and none at all
  once a send has failed.
- :class:`BatchedFetchThread`: fetches wait for ``fetch_min_bytes`` or ``fetch_max_wait_ms``.

Why, the private attributes relied on, and the tests: docs/faust-patches.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaConsumer
from faust.types import TP
from faust.types.transports import TransportT
from faust.types.tuples import Message
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

log = logging.getLogger(__name__)


class KeepQueuedOnResume(FlowControlEvent):
    """A flow control whose ``resume`` keeps queued events; ``clear`` still empties the
    queues and passes the message of each event it drops to ``on_drop``.

    Faust resumes flow after seeking to the committed offsets, so what stock ``resume``
    clears was fetched after the seek: the fetcher has moved past it, and it would never
    reach its agent (guarded by tests/streams/faust_patches/test_flow_control.py)."""

    def __init__(self, *args: Any, on_drop: Callable[[Message], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_drop = on_drop

    def clear(self) -> None:
        for queue in self._queues:
            if self.on_drop is not None:
                for item in list(queue._queue):  # asyncio.Queue's own deque: what is waiting
                    if (message := getattr(item, "message", None)) is not None:
                        self.on_drop(message)
            queue.clear()

    def resume(self) -> None:
        kept = sum(queue.qsize() for queue in self._queues)
        if kept:
            log.info("flow resumed with events queued; kept them", extra={"events": kept})
        self._suspend.clear()
        self._resume.set()


class BatchedFetchThread(AIOKafkaConsumerThread):
    """Faust's consumer thread, whose fetches wait for data as the app says.

    Faust builds the aiokafka consumer with ``fetch_min_bytes`` 1 and has no setting for
    it: the broker then answers as soon as any partition has a message, and a busy worker
    fetches a few messages at a time. aiokafka reads both attributes when the consumer
    starts its fetcher (guarded by ``test_the_consumer_fetches_wait_for_data_as_configured``
    in tests/streams/faust_patches/test_flow_control.py)."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_min_bytes = self.app.fetch_min_bytes
        consumer._fetch_max_wait_ms = self.app.fetch_max_wait_ms
        return consumer


class ProduceFailed(RuntimeError):
    """Messages an agent sent were not produced: committing would lose their inputs."""


class NoGapConsumer(AIOKafkaConsumer):
    """Faust's aiokafka consumer without gap tracking, that commits no offset past one not
    acknowledged yet, that can stop waiting for a message (:meth:`forget`), whose seek and
    commits take turns, and that stops the worker rather than commit after a failed send.

    Our input topics are neither compacted nor transactional, so a jump in offsets is
    never a gap to skip; after a seek, Faust's gap bookkeeping cuts every commit to one
    offset (guarded by tests/streams/faust_patches/test_flow_control.py)."""

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        return None

    def _new_offset(self, tp: TP) -> int | None:
        # Faust lets a one-offset hole through at the head (it checks ``> 1``): here the
        # next offset to commit must itself be acknowledged, or the commit waits (guarded
        # by test_no_commit_past_an_offset_not_acknowledged).
        acked, committed = self._acked[tp], self._committed_offset[tp]
        if acked and committed is not None and min(acked) > committed:
            return None
        return super()._new_offset(tp)

    async def perform_seek(self) -> None:
        # Faust seeks to the committed offsets while the fetcher already runs, so a commit
        # can land between reading an offset and recording it: the older value read then
        # replaces the newer one, and the commit waits forever for offsets it committed
        # already. Seek and commit take turns (guarded by test_seek_and_commit_take_turns).
        await self.maybe_wait_for_commit_to_finish()
        self._commit_fut = asyncio.Future(loop=self.loop)  # a commit meanwhile waits, then skips
        try:
            await super().perform_seek()
        finally:
            fut, self._commit_fut = self._commit_fut, None
            fut.set_result(None)

    async def _commit(self, offsets: Any) -> bool:
        # Faust flushes the producer before it commits, and the flush waits for every send
        # but raises for none: a message aiokafka gave up on (producing._report_failure)
        # would have its input committed, and lost. The worker stops instead, and reads
        # that input again after its restart (guarded by test_no_commit_after_a_failed_send).
        failed = getattr(self.app, "sends_failed", 0)
        if failed:
            self.log.error("%d message(s) not produced: stopping without committing", failed)
            await self.app.crash(ProduceFailed(f"{failed} message(s) not produced"))
            return False
        return await super()._commit(offsets)

    def _new_consumer_thread(self) -> BatchedFetchThread:
        return BatchedFetchThread(self, loop=self.loop, beacon=self.beacon)

    def forget(self, message: Message) -> None:
        """Stop waiting for ``message``, dropped from an agent's queue before that agent
        saw it: it stays unacknowledged, so the commit stops before it and it is read
        again after the rebalance."""
        self._unacked_messages.discard(message)


class StreamsApp(faust.App):
    """``faust.App`` with :class:`KeepQueuedOnResume` as its flow control and
    :class:`NoGapConsumer` as its consumer.

    Args:
        fetch_min_bytes: a fetch waits until this many bytes of messages are ready,
        fetch_max_wait_ms: or until this long has passed; the defaults are Faust's own.
    """

    sends_failed = 0  # messages aiokafka gave up on (producing._report_failure): no commit after one

    def __init__(self, *args: Any, fetch_min_bytes: int = 1, fetch_max_wait_ms: int = 1500, **kwargs: Any) -> None:
        self.fetch_min_bytes, self.fetch_max_wait_ms = fetch_min_bytes, fetch_max_wait_ms
        super().__init__(*args, **kwargs)

    @cached_property
    def flow_control(self) -> FlowControlEvent:
        return KeepQueuedOnResume(loop=self.loop, on_drop=lambda message: self.consumer.forget(message))

    def _new_transport(self) -> TransportT:
        transport = super()._new_transport()
        transport.Consumer = NoGapConsumer  # what transport.create_consumer() builds
        return transport
