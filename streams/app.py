"""The Faust application of the stream processors.

Agents stay thin: they decode, call pure functions, and send. Messages are read as raw
bytes and decoded by :meth:`Mention.from_json` ourselves, not by a Faust ``Record``
codec, because Faust drops a message it cannot decode with only a log line; we want
every refused message on the dead-letter topic with its reason.
"""

from __future__ import annotations

import logging

import faust

from passaparola.config import Settings
from passaparola.deadletter import envelope
from passaparola.metrics import CONSUMED, ERRORS, PRODUCED
from passaparola.schema import Mention, SchemaError
from streams.enrichment import enrich

log = logging.getLogger(__name__)
WORKER = "streams"


def faust_broker(bootstrap_servers: str) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in bootstrap_servers.split(","))


def app_id(settings: Settings) -> str:
    """The Faust app id, which is also its Kafka consumer group."""
    return f"{settings.kafka.client_id}-streams"


def create_app(settings: Settings) -> faust.App:
    topics = settings.topics
    app = faust.App(
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
    )
    raw = app.topic(topics.mentions_raw, value_type=bytes, key_type=bytes)
    enriched = app.topic(topics.mentions_enriched, value_type=bytes, key_type=bytes)
    dlq = app.topic(topics.streams_dlq, value_type=bytes, key_type=bytes)

    @app.agent(raw, name="enrich")
    async def enrich_mentions(stream: faust.StreamT) -> None:
        async for event in stream.events():
            CONSUMED.labels(WORKER, topics.mentions_raw).inc()
            try:
                mention = Mention.from_json(event.value)
            except SchemaError as err:
                ERRORS.labels(WORKER, "schema").inc()
                msg = event.message
                body = envelope(f"not a mention: {err}", WORKER, msg.topic, msg.partition, msg.offset, msg.key, event.value)
                await dlq.send(key=msg.key, value=body)
                PRODUCED.labels(WORKER, topics.streams_dlq).inc()
                continue
            await enriched.send(key=mention.thread_id.encode(), value=enrich(mention).to_json())
            PRODUCED.labels(WORKER, topics.mentions_enriched).inc()

    return app
