"""The reply tracker wired to Kafka: a Faust table of thread states, an agent, a timer.

The agent reads ``mentions.enriched`` and ``replies.ticks`` (both keyed by thread, same
partition count, so a thread's mentions, ticks and state share a partition), updates the
thread's state in the ``reply-threads`` table (changelogged: a restarted worker recovers
it) and its next due moment in ``reply-due``, and sends the tracker's events to
``replies``, keyed by thread. The timer only finds threads with something due and sends
them a tick; the state changes in the agent, where Faust knows which changelog partition
to write. The timer reads ``reply-due``, not every thread's state, so its cost follows the
threads waiting for something, not every thread ever seen.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import MutableMapping
from datetime import datetime, timezone

import faust

from core.metrics import BATCH_SECONDS, CONSUMED
from core.schema import Mention, SchemaError
from core.settings import Settings
from streams.faust_patches.dead_letters import dead_letterer
from streams.faust_patches.producing import NotProduced, sender
from streams.faust_patches.tables import TableBatch, json_table
from streams.replies.clock import SlaClock
from streams.replies.tracker import ReplyTracker, empty_state

log = logging.getLogger(__name__)
WORKER = "replies"


def register_reply_tracker(app: faust.App, settings: Settings) -> None:
    topics, batching = settings.topics, settings.streams
    tracker = ReplyTracker(settings.replies, settings.brands)
    clock = SlaClock(settings.replies.clock_grace_s)
    threads = json_table(app, "reply-threads", settings.kafka.partitions)
    # thread -> the next moment something in it comes due (ISO, UTC), only for threads that
    # wait for something: the timer reads this, not every thread's state.
    due_at = json_table(app, "reply-due", settings.kafka.partitions)
    scanned = False  # once per process: threads kept without a due entry get one
    inputs = app.topic(topics.mentions_enriched, topics.reply_ticks, key_type=bytes, value_type=bytes)
    ticks = app.topic(topics.reply_ticks, key_type=bytes, value_type=bytes)
    send = sender(app, WORKER)
    dead_letter = dead_letterer(app, topics.mentions_dlq, WORKER)

    def events_for(topic: str, key: bytes, value: bytes, state: dict) -> list[dict]:
        if topic == topics.reply_ticks:
            return tracker.due(state, _tick_time(value))
        mention = Mention.from_json(value)
        clock.saw(mention.published_at)
        return tracker.observe(state, mention)

    @app.agent(inputs, name="replies")
    async def track(stream: faust.StreamT) -> None:
        async for events in stream.take_events(batching.batch_max, batching.batch_wait_s):
            started = time.perf_counter()
            batch = TableBatch(threads, due_at)
            for event in events:
                batch.at(event.message.partition)
                await track_one(event, batch[threads], batch[due_at])
            await batch.flush()
            BATCH_SECONDS.labels(WORKER).observe(time.perf_counter() - started)

    async def track_one(event: faust.EventT, states: MutableMapping[str, dict], dues: MutableMapping[str, str]) -> None:
        topic, key = event.message.topic, event.message.key
        CONSUMED.labels(WORKER, topic).inc()
        what = "tick" if topic == topics.reply_ticks else "mention"
        if not key:
            # Mentions and ticks are keyed by thread: a keyless one has no thread, and
            # it may sit in a partition other than its thread's state.
            await dead_letter(event, f"not a {what} of a thread: no key")
            return
        try:
            thread = key.decode()  # our thread ids are ASCII; anything else is unreadable
            state = states.get(thread) or empty_state()
            out = events_for(topic, key, event.value, state)
        except (SchemaError, ValueError, OverflowError) as err:  # ValueError covers UnicodeDecodeError
            await dead_letter(event, f"not a {what}: {type(err).__name__}: {err}")
            return
        except Exception as err:  # a bug on one thread must not stop the tracking of all of them
            log.exception("reply tracking failed", extra={"topic": topic})
            await dead_letter(event, f"reply tracking failed: {err!r}")
            return
        states[thread] = state
        next_due = tracker.next_due(state)
        stamp = next_due.isoformat() if next_due else None
        if dues.get(thread) != stamp:
            if stamp:
                dues[thread] = stamp
            else:
                del dues[thread]
        for reply_event in out:
            try:
                await send(topics.replies, key, json.dumps(reply_event, ensure_ascii=False).encode())
            except NotProduced as err:
                await dead_letter(event, f"its reply event: {err}", "not produced")

    @app.timer(settings.replies.tick_s, name="reply-sla-ticks")
    async def tick() -> None:
        nonlocal scanned
        now = clock.now()
        stamp = now.astimezone(timezone.utc).isoformat()
        if not scanned:
            scanned = True
            await scan_unindexed(now)
        for key in [key for key, at in list(due_at.items()) if at <= stamp]:
            state = threads.get(key)
            if state and tracker.has_due(state, now):
                await send_tick(key, now)

    async def scan_unindexed(now: datetime) -> None:
        """Tick every waiting thread that has no due entry (a state kept by a version
        without ``reply-due``), so the agent writes one; in slices, not to hold up the loop
        on a large table.

        Faust starts timers only once the first table recovery has finished, so the scan
        sees the recovered threads (guarded by
        ``test_threads_kept_before_the_due_index_get_an_entry_after_recovery`` in
        tests/streams/replies/test_reply_worker.py). It runs once per process: partitions
        that move to this worker later, from a worker of that older version, are not
        scanned (in a rolling upgrade, stop the old workers first)."""
        for n, key in enumerate(list(threads)):
            if key not in due_at:
                state = threads.get(key)
                if state and (state["open"] or state["early"]):
                    await send_tick(key, now)
            if n % 1000 == 999:
                await asyncio.sleep(0)

    async def send_tick(key: str, now: datetime) -> None:
        await ticks.send(key=key.encode(), value=json.dumps({"now": now.isoformat()}).encode())


def _tick_time(value: bytes | None) -> datetime:
    """The clock reading of a tick, ``{"now": ISO time with offset}``; ValueError if it is not one
    (a naive time could not be compared with the items' times)."""
    tick = json.loads(value) if value is not None else None
    now = tick.get("now") if isinstance(tick, dict) else None
    at = datetime.fromisoformat(now) if isinstance(now, str) else None
    if at is None or at.tzinfo is None:
        raise ValueError('expected {"now": an ISO time with its UTC offset}')
    return at
