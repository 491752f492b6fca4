"""Faust's flow control and consumer, mended where a (re)start or a rebalance lost
messages, held the commits back, or stalled the group (and whose fetches now wait for
data: :class:`BatchedFetchThread`).

First: keep events already handed to agents when Faust resumes flow. faust-streaming 0.15
resumes a worker after (re)assignment in this order: resume the stream partitions, seek
them to the committed offsets, then ``flow_control.resume()``, which also *empties every
stream queue*. The fetcher runs meanwhile, so a message
fetched between the seek and the resume is put in an agent's queue, marked as read,
and then thrown away: the fetcher goes on from the next offset and the commit logic
lets a one-offset hole through. We saw exactly that, the first new message of a
partition never enriched after a restart, in about one start in five.

The queues are already emptied where it matters, when partitions are revoked
(``App.on_partitions_revoked`` calls ``flow_control.clear()`` itself) and when the
consumer stops. Nothing can enter them between that clear and the resume, because the
stream partitions stay paused, so clearing again on resume only ever drops messages
read after the seek. Without it the worst case is an event processed twice (read just
before the seek, then again from the committed offset), which our idempotent outputs
absorb: at-least-once instead of silently-at-most-once.

The same restart has a second trap, in Faust's commit bookkeeping. The consumer keeps a
read offset per partition and, when a fetched message's offset is more than one above it,
records the offsets in between as a "gap" to be committed as if acknowledged (meant for
compacted topics and transaction markers). The seek to the committed offsets sets the read
offset back, so a message of a fetch made before the seek and delivered after it looks like
the end of a gap, and every offset already delivered before the seek is recorded twice,
once acknowledged and once as gap. Faust commits one run of consecutive offsets per commit
(every 2.8 s), and duplicates cut every run to one offset: the committed offset crawled up
by one offset per partition per commit, so a demo's lag took many minutes to drain while
the work was long done (and with Faust's own clear-on-resume, the gap marked messages that
were thrown away as processed). Our input topics are neither compacted nor written in
transactions, so they have no gaps to skip: :class:`NoGapConsumer` records none, and every
commit covers exactly the offsets the agents acknowledged.

And a third, on revocation. Faust empties the agents' queues and then waits until every
message an agent has started on is acknowledged. A message of a topic two agents read
(``mentions.enriched``: the reply tracker and the router) can be taken by one agent while
it still waits in the other's queue; emptied from there, it was never acknowledged, and
the worker waited for it until the group gave up on it: a second worker joining under load
stopped the group for a minute or for good. The flow control tells the consumer about each
message it drops, the consumer stops waiting for it, and, unacknowledged, it is read again
after the rebalance. For that to hold, the consumer commits no offset past one not yet
acknowledged (Faust lets one such offset through at the head of a partition).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import faust
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaConsumer
from faust.types import TP
from faust.types.tuples import Message
from faust.types.transports import TransportT
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

log = logging.getLogger(__name__)


class KeepQueuedOnResume(FlowControlEvent):
    """A flow control whose ``resume`` lets queued events through; ``clear`` still clears,
    and tells ``on_drop`` about the message of each event it drops."""

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
    """Faust's consumer thread, its fetches made to wait for data as the app says.

    Faust builds the aiokafka consumer with ``fetch_min_bytes`` 1: the broker answers a
    fetch as soon as any partition has a message, so a worker reading 18 partitions at a
    few hundred mentions per second fetched a few messages at a time, and fetching was a
    quarter of its CPU. Faust has no setting for it; aiokafka reads both attributes when
    the consumer starts its fetcher."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_min_bytes = self.app.fetch_min_bytes
        consumer._fetch_max_wait_ms = self.app.fetch_max_wait_ms
        return consumer


class NoGapConsumer(AIOKafkaConsumer):
    """Faust's aiokafka consumer without gap tracking, and that commits no offset past one
    not acknowledged yet (see the module's docstring)."""

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        return None

    def _new_offset(self, tp: TP) -> int | None:
        # Faust lets a one-offset hole through at the head (it checks ``> 1``): the next
        # offset to commit must itself be acknowledged, or the commit waits.
        acked, committed = self._acked[tp], self._committed_offset[tp]
        if acked and committed is not None and min(acked) > committed:
            return None
        return super()._new_offset(tp)

    def _new_consumer_thread(self) -> BatchedFetchThread:
        return BatchedFetchThread(self, loop=self.loop, beacon=self.beacon)

    def forget(self, message: Message) -> None:
        """No longer wait for ``message`` (dropped from an agent's queue before that agent
        saw it): it stays unacknowledged, so the commit stops before it and it is read
        again after the rebalance."""
        self._unacked_messages.discard(message)


class StreamsApp(faust.App):
    """``faust.App`` with :class:`KeepQueuedOnResume` as its flow control and
    :class:`NoGapConsumer` as its consumer, whose fetches wait for ``fetch_min_bytes`` of
    messages or ``fetch_max_wait_ms``."""

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
