"""The Faust application of the stream processors: one app, four agents, one lag reporter.

Each agent lives next to the logic it wires (``streams/<concern>/agent.py``); what this app
changes in Faust itself is in :mod:`streams.faust_patches`.
"""

from __future__ import annotations

import ssl

import faust

from core.settings import KafkaSettings, Settings
from streams.alerts.agent import register_spike_detection
from streams.enrichment.agent import register_enrichment
from streams.faust_patches import check_versions
from streams.faust_patches.flow_control import StreamsApp
from streams.faust_patches.metadata import throttle_failed_metadata_updates
from streams.operability import register_lag_reporter
from streams.replies.agent import register_reply_tracker


def faust_broker(bootstrap_servers: str) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in bootstrap_servers.split(","))


def broker_credentials(kafka: KafkaSettings) -> faust.types.auth.CredentialsT | None:
    """``[kafka]``'s TLS and SASL settings in Faust's form (None: plaintext), as
    :func:`core.kafka_clients.security` gives them to the kafka-python clients."""
    context = None
    if kafka.security_protocol.endswith("SSL"):
        context = ssl.create_default_context(cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None)
    if kafka.security_protocol.startswith("SASL"):
        return faust.SASLCredentials(username=kafka.sasl_username, password=kafka.sasl_password(),
                                     ssl_context=context, mechanism=kafka.sasl_mechanism)
    return faust.SSLCredentials(context) if context is not None else None


def app_id(settings: Settings) -> str:
    """The Faust app id, which is also its Kafka consumer group."""
    return f"{settings.kafka.client_id}-streams"


def create_app(settings: Settings) -> faust.App:
    check_versions()
    throttle_failed_metadata_updates()
    app = StreamsApp(
        app_id(settings),
        datadir=str(settings.stack.state_dir / "streams"),
        broker=faust_broker(settings.kafka.bootstrap_servers),
        broker_credentials=broker_credentials(settings.kafka),
        store="memory://",
        web_enabled=False,
        topic_partitions=settings.kafka.partitions,
        topic_replication_factor=settings.kafka.replication_factor,
        value_serializer="raw",
        key_serializer="raw",
        producer_acks=-1,
        # Faust's defaults (no linger, 16 KiB batches) send a request per message or two;
        # the worker batches like our other producers instead.
        producer_linger=settings.kafka.linger_ms / 1000,
        producer_max_batch_size=settings.kafka.batch_bytes,
        # A killed worker's partitions move to a live one after this, not after a minute.
        broker_session_timeout=10,
        broker_heartbeat_interval=2,
        fetch_min_bytes=settings.streams.fetch_min_bytes,
        fetch_max_wait_ms=settings.streams.fetch_max_wait_ms,
    )
    register_enrichment(app, settings)
    register_lag_reporter(app)
    register_reply_tracker(app, settings)
    register_spike_detection(app, settings)
    return app
