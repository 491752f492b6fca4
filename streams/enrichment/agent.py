"""The enrichment agent: ``mentions.raw`` in, :class:`Enricher` applied, ``mentions.enriched`` out.

Messages are read as raw bytes and decoded by :meth:`Mention.from_json` here, not by a Faust
``Record`` codec: Faust drops a message it cannot decode with only a log line, and every
refused message must reach the dead-letter topic with its reason.
"""

from __future__ import annotations

import logging
import time

import faust

from core.metrics import BATCH_SECONDS, CONSUMED, DROPPED
from core.schema import Mention, SchemaError
from core.settings import Settings
from streams.enrichment.enricher import Enricher
from streams.faust_patches.dead_letters import dead_letterer
from streams.faust_patches.producing import NotProduced, sender

log = logging.getLogger(__name__)
WORKER = "streams"


def register_enrichment(app: faust.App, settings: Settings) -> None:
    topics = settings.topics
    enricher = Enricher.from_settings(settings)
    raw = app.topic(topics.mentions_raw, value_type=bytes, key_type=bytes)
    send = sender(app, WORKER)
    dead_letter = dead_letterer(app, topics.mentions_dlq, WORKER)
    max_bytes = settings.kafka.max_message_bytes

    @app.agent(raw, name="enrich")
    async def enrich_mentions(stream: faust.StreamT) -> None:
        async for events in stream.take_events(settings.streams.batch_max, settings.streams.batch_wait_s):
            started = time.perf_counter()
            for event in events:
                await enrich_one(event)
            BATCH_SECONDS.labels(WORKER).observe(time.perf_counter() - started)

    async def enrich_one(event: faust.EventT) -> None:
        CONSUMED.labels(WORKER, topics.mentions_raw).inc()
        if event.value is not None and len(event.value) > max_bytes:
            await dead_letter(event, f"mention of {len(event.value):,} bytes, more than kafka.max_message_bytes "
                                     f"({max_bytes:,})", "too large")
            return
        try:
            mention = Mention.from_json(event.value)
        except (SchemaError, OverflowError) as err:
            # OverflowError: a date at the calendar's edge (year 1 at +01:00) overflows when
            # the validator moves it to UTC, and pydantic does not wrap it (guarded by
            # tests/faults/test_poison.py).
            await dead_letter(event, f"not a mention: {err}", "schema")
            return
        try:
            result = enricher.enrich(mention)
        except Exception as err:  # a bug or a pathological text must not stop the stream
            log.exception("enrichment failed", extra={"mention_id": mention.id})
            await dead_letter(event, f"enrichment failed: {err!r}", "enrichment")
            return
        if not enricher.keeps(result):
            DROPPED.labels(WORKER, "no brand matched").inc()
            return
        value = result.to_json()
        if len(value) > max_bytes:
            await dead_letter(event, f"enriched mention of {len(value):,} bytes, more than kafka.max_message_bytes "
                                     f"({max_bytes:,})", "too large")
            return
        try:
            # Same key as on mentions.raw: a thread stays in one partition, in order.
            await send(topics.mentions_enriched, event.message.key, value)
        except NotProduced as err:
            await dead_letter(event, str(err), "not produced")
