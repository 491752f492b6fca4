"""Every kafka-python client of ours, built here with our delivery settings.

- Producers: ``acks=all`` and idempotence (a retried batch is written once and in order),
  and the compression, batching and delivery timeout of ``[kafka]``.
- Consumers: no auto-commit (a worker commits what it has handled) and, for a group
  without offsets, the earliest one.
- Every client logs in as ``[kafka]`` says (TLS, SASL PLAIN or SCRAM).
- Every client is named ``<[kafka] client_id>-<name>``, so the broker's logs tell them apart.

Each client is a context manager that closes it on exit. Keyword arguments override any
setting, for the few clients that need another one (say why there). The Faust app builds
its own aiokafka clients (``streams/app.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.settings import KafkaSettings

if TYPE_CHECKING:  # kafka-python takes a quarter of a second to import: only when a client is built
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer


def _kafka(kafka: KafkaSettings | str) -> KafkaSettings:
    """Settings as given, or the defaults with only the bootstrap servers (a ``str``)."""
    return KafkaSettings(bootstrap_servers=kafka) if isinstance(kafka, str) else kafka


def security(kafka: KafkaSettings) -> dict[str, Any]:
    """The TLS and SASL keyword arguments of every kafka-python client (``[kafka]``)."""
    config: dict[str, Any] = {"security_protocol": kafka.security_protocol}
    if kafka.security_protocol.startswith("SASL"):
        # kafka-python names the user and password sasl_plain_* for the SCRAM mechanisms too.
        config |= {"sasl_mechanism": kafka.sasl_mechanism, "sasl_plain_username": kafka.sasl_username,
                   "sasl_plain_password": kafka.sasl_password()}
    if kafka.ssl_cafile is not None:
        config["ssl_cafile"] = str(kafka.ssl_cafile)
    return config


def flush_timeout_s(kafka: KafkaSettings) -> float:
    """How long to wait on a kafka-python producer's flush or close: its delivery timeout does
    not bound them (after a broker restart a batch can wait on a dead connection for minutes;
    tests/faults/test_kafka_restart.py saw a flush pass 120 s), so callers bound them here."""
    return kafka.delivery_timeout_s + 10


def producer_config(kafka: KafkaSettings | str, name: str, **overrides: Any) -> dict[str, Any]:
    """The keyword arguments :func:`producer` passes to ``KafkaProducer``."""
    kafka = _kafka(kafka)
    return {
        "bootstrap_servers": kafka.bootstrap_servers,
        "client_id": f"{kafka.client_id}-{name}",
        **security(kafka),
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": None if kafka.compression == "none" else kafka.compression,
        "linger_ms": kafka.linger_ms,
        "batch_size": kafka.batch_bytes,
        # kafka-python wants delivery >= request + linger; a request is given at most its 30 s default.
        "delivery_timeout_ms": int(kafka.delivery_timeout_s * 1000),
        "request_timeout_ms": int(min(30.0, kafka.delivery_timeout_s / 2) * 1000),
        **overrides,
    }


def producer(kafka: KafkaSettings | str, name: str, **overrides: Any) -> KafkaProducer:
    """A producer named ``name`` with our delivery settings."""
    from kafka import KafkaProducer

    return KafkaProducer(**producer_config(kafka, name, **overrides))


def consumer(kafka: KafkaSettings | str, name: str, *topics: str, group_id: str | None = None,
             **overrides: Any) -> KafkaConsumer:
    """A consumer named ``name``, subscribed to ``topics`` if any (else assign it partitions);
    without ``group_id`` it commits nothing and reads where it is told."""
    from kafka import KafkaConsumer

    kafka = _kafka(kafka)
    config: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "client_id": f"{kafka.client_id}-{name}",
        **security(kafka),
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        **overrides,
    }
    return KafkaConsumer(*topics, **config)


def admin(kafka: KafkaSettings | str, name: str = "admin", **overrides: Any) -> KafkaAdminClient:
    """An admin client named ``name`` (topics, groups, offsets)."""
    from kafka import KafkaAdminClient

    kafka = _kafka(kafka)
    return KafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, client_id=f"{kafka.client_id}-{name}",
                            **{**security(kafka), **overrides})
