"""Sending from the agents straight to Faust's Kafka producer.

``Topic.send`` wraps every message in Faust's channel machinery (a ``FutureMessage``, a
pending entry in the producer buffer, callbacks) before the same aiokafka producer gets
it; per message that cost about as much as our enrichment of it. The agents' outputs
(enriched mentions, mentions by brand, reply events, alerts) and the tables' changelog
records (:mod:`streams.faust_patches.tables`) go to ``Producer.send`` instead. Delivery is unchanged:
Faust flushes the producer before it commits offsets (``Consumer.commit``), and that flush
waits for every message aiokafka holds, however it got there. Dead letters, rare, still go
through Faust.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import faust

from core.metrics import ERRORS, PRODUCED

log = logging.getLogger(__name__)
Send = Callable[..., Awaitable[None]]


def sender(app: faust.App, worker: str) -> Send:
    """An ``await send(topic, key, value, headers=None, partition=None)`` for ``worker``'s
    agents: it returns once aiokafka has the message (batched with others), not once it is
    written. No partition: the key's, by the same hash as every other producer of ours."""

    async def send(topic: str, key: bytes | None, value: bytes | None, headers: dict[str, bytes] | None = None,
                   partition: int | None = None) -> None:
        written = await app.producer.send(topic, key, value, partition, None, headers)
        written.add_done_callback(lambda done: _report_failure(done, worker, topic))
        PRODUCED.labels(worker, topic).inc()

    return send


def _report_failure(done: asyncio.Future, worker: str, topic: str) -> None:
    # aiokafka retries on its own; what fails here failed for good, and the flush before
    # a commit does not raise it: so it is logged and counted where it happens.
    if not done.cancelled() and done.exception() is not None:
        ERRORS.labels(worker, "not produced").inc()
        log.error("message not produced", extra={"topic": topic, "error": repr(done.exception())})
