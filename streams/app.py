"""The Faust application of the stream processors.

Agents stay thin: they decode, call pure functions, and send. Messages are read as raw
bytes and decoded by :meth:`Mention.from_json` ourselves, not by a Faust ``Record``
codec, because Faust drops a message it cannot decode with only a log line; we want
every refused message on the dead-letter topic with its reason.
"""

from __future__ import annotations

import asyncio
import logging
import time

import faust
from aiokafka.client import AIOKafkaClient

from passaparola.config import Settings
from passaparola.metrics import BATCH_SECONDS, CONSUMED, DROPPED
from passaparola.schema import Mention, SchemaError
from streams.enrichment.enricher import Enricher
from streams.alerts.agent import register_spike_detection
from streams.dead_letters import dead_letterer
from streams.flow_control import StreamsApp
from streams.producing import sender
from streams.operability import register_lag_reporter
from streams.replies.agent import register_reply_tracker

log = logging.getLogger(__name__)
WORKER = "streams"


def faust_broker(bootstrap_servers: str) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in bootstrap_servers.split(","))


def app_id(settings: Settings) -> str:
    """The Faust app id, which is also its Kafka consumer group."""
    return f"{settings.kafka.client_id}-streams"


def throttle_failed_metadata_updates() -> None:
    """Wait ``retry_backoff_ms`` after a failed metadata update before the next one.

    While the broker is down, aiokafka (0.14) retries a failed metadata update at once: a
    refused connection asks for another update, which fails at once, and so on. The
    streams worker spun a core and wrote about 5,000 error lines a second (48 MB in a
    30-second broker restart, tests/faults/test_kafka_restart.py). The sink's kafka-python
    client backs off and wrote 80 lines. Successful updates are not delayed.
    """
    update = AIOKafkaClient._metadata_update
    if getattr(update, "throttled", False):
        return

    async def throttled(self: AIOKafkaClient, cluster_metadata, topics):  # noqa: ANN001 - aiokafka's signature
        updated = await update(self, cluster_metadata, topics)
        if not updated:
            await asyncio.sleep(self._retry_backoff)
        return updated

    throttled.throttled = True
    AIOKafkaClient._metadata_update = throttled


def create_app(settings: Settings) -> faust.App:
    throttle_failed_metadata_updates()
    topics = settings.topics
    app = StreamsApp(
        app_id(settings),
        datadir=str(settings.stack.state_dir / "streams"),
        broker=faust_broker(settings.kafka.bootstrap_servers),
        store="memory://",
        web_enabled=False,
        topic_partitions=settings.kafka.partitions,
        topic_replication_factor=settings.kafka.replication_factor,
        value_serializer="raw",
        key_serializer="raw",
        producer_acks=-1,
        # Faust's defaults (no linger, 16 KiB batches) send a request per message or two;
        # batching like our other producers gave the worker about 10 % more throughput.
        producer_linger=settings.kafka.linger_ms / 1000,
        producer_max_batch_size=settings.kafka.batch_bytes,
        # A killed worker's partitions move to a live one after this, not after a minute.
        broker_session_timeout=10,
        broker_heartbeat_interval=2,
        fetch_min_bytes=settings.streams.fetch_min_bytes,
        fetch_max_wait_ms=settings.streams.fetch_max_wait_ms,
    )
    enricher = Enricher.from_settings(settings)
    raw = app.topic(topics.mentions_raw, value_type=bytes, key_type=bytes)
    send = sender(app, WORKER)
    dead_letter = dead_letterer(app, topics.mentions_dlq, WORKER)

    @app.agent(raw, name="enrich")
    async def enrich_mentions(stream: faust.StreamT) -> None:
        async for events in stream.take_events(settings.streams.batch_max, settings.streams.batch_wait_s):
            started = time.perf_counter()
            for event in events:
                await enrich_one(event)
            BATCH_SECONDS.labels(WORKER).observe(time.perf_counter() - started)

    async def enrich_one(event: faust.EventT) -> None:
        CONSUMED.labels(WORKER, topics.mentions_raw).inc()
        try:
            mention = Mention.from_json(event.value)
        except (SchemaError, OverflowError) as err:
            # OverflowError: a date at the calendar's edge (year 1 at +01:00) overflows
            # when the validator moves it to UTC, and pydantic does not wrap it; it used
            # to crash this agent (Faust restarted it; no dead letter was written).
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
        # Same key as on mentions.raw: a thread stays in one partition, in order.
        await send(topics.mentions_enriched, event.message.key, result.to_json())

    register_lag_reporter(app)
    register_reply_tracker(app, settings)
    register_spike_detection(app, settings)
    return app
