"""The dead-letter step every Faust agent of ours shares: the refused message, with why,
on ``mentions.dlq``, counted and logged; the agent then goes on with the next one.

It sends through Faust's ``Topic.send`` (dead letters are rare); see docs/faust-patches.md."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

import faust

from core.dead_letters import envelope
from core.metrics import ERRORS, PRODUCED

log = logging.getLogger(__name__)
DeadLetter = Callable[..., Awaitable[None]]


def dead_letterer(app: faust.App, dlq_topic: str, worker: str) -> DeadLetter:
    """An ``await dead_letter(event, reason[, counted_as])`` for the agents of ``worker``;
    ``counted_as`` labels the error counter (default ``unreadable``)."""
    dlq = app.topic(dlq_topic, key_type=bytes, value_type=bytes)

    async def dead_letter(event: faust.EventT, reason: str, counted_as: str = "unreadable") -> None:
        msg = event.message
        ERRORS.labels(worker, counted_as).inc()
        log.error("message dead-lettered", extra={"topic": msg.topic, "offset": msg.offset, "error": reason})
        await dlq.send(key=msg.key, value=envelope(reason, worker, msg.topic, msg.partition, msg.offset, msg.key, event.value))
        PRODUCED.labels(worker, dlq_topic).inc()

    return dead_letter
