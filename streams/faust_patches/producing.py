"""The agents' sends, straight to Faust's producer (``Producer.send``), not ``Topic.send``.

``Topic.send`` wraps each message in Faust's channel machinery (``FutureMessage``, producer
buffer, callbacks), which costs about as much per message as enriching it. The agents'
outputs and the tables' changelog records (:mod:`streams.faust_patches.tables`) skip it;
dead letters, rare, still go through Faust. Delivery is unchanged: Faust flushes the
producer before it commits offsets, and that flush waits for everything aiokafka holds.
See docs/faust-patches.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import faust
from faust.exceptions import ProducerSendError

from core.metrics import ERRORS, PRODUCED

log = logging.getLogger(__name__)
Send = Callable[..., Awaitable[None]]


class NotProduced(Exception):
    """The producer refused a message at once (too large for it, say): the agent dead-letters
    the input it came from and goes on."""


def sender(app: faust.App, worker: str) -> Send:
    """An ``await send(topic, key, value, headers=None, partition=None)`` for ``worker``'s
    agents: it returns once aiokafka has the message (batched with others), not once it is
    written. No partition: the key's, by the same hash as every other producer of ours.
    Raises :class:`NotProduced` when aiokafka refuses the message outright."""

    async def send(topic: str, key: bytes | None, value: bytes | None, headers: dict[str, bytes] | None = None,
                   partition: int | None = None) -> None:
        try:
            written = await app.producer.send(topic, key, value, partition, None, headers)
        except ProducerSendError as err:  # Faust's wrapping of aiokafka's KafkaError
            cause = err.__cause__ or err
            raise NotProduced(f"not produced to {topic}: {type(cause).__name__}: {cause}") from None
        written.add_done_callback(lambda done: _report_failure(done, worker, topic, app))
        PRODUCED.labels(worker, topic).inc()

    return send


def _report_failure(done: asyncio.Future, worker: str, topic: str, app: faust.App | None = None) -> None:
    # aiokafka retries on its own; what fails here failed for good, and the flush before a
    # commit does not raise it: so it is logged, counted, and noted on the app, whose
    # consumer then commits nothing more (NoGapConsumer._commit; guarded by
    # tests/streams/faust_patches/test_producing.py).
    if not done.cancelled() and done.exception() is not None:
        ERRORS.labels(worker, "not produced").inc()
        log.error("message not produced", extra={"topic": topic, "error": repr(done.exception())})
        if app is not None:
            app.sends_failed = getattr(app, "sends_failed", 0) + 1
