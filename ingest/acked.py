"""A kafka-python producer that says what Kafka did not acknowledge, and goes on after it.

Ingest's two producers (mentions, error records) stand on it. Their callers advance a cursor
only after a clean :meth:`AckedProducer.flush`: that is what makes ingestion at-least-once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from core import kafka_clients
from core.settings import KafkaSettings

if TYPE_CHECKING:
    from kafka import KafkaProducer

log = logging.getLogger(__name__)


class ProduceError(RuntimeError):
    """Kafka did not acknowledge some records, or could not be reached to take them."""


class AckedProducer:
    """Sends records and, on :meth:`flush`, raises :class:`ProduceError` for any that failed.

    Parameters:
        kafka: the cluster and the delivery settings (``kafka.delivery_timeout_s`` bounds how
            long a record waits for a broker before it counts as failed).
        name: the client's name (``<client_id>-<name>`` in the broker's logs).
        what: what a record is, in error messages ("mention", "ingest error record").
    """

    def __init__(self, kafka: KafkaSettings, name: str, what: str):
        self._kafka, self.name, self.what = kafka, name, what
        self._producer: KafkaProducer | None = None
        self._failures: list[str] = []

    def send(self, topic: str, key: bytes, value: bytes, label: str,
             headers: list[tuple[str, bytes]] | None = None) -> None:
        """Queue one record; ``label`` names it if it fails. :class:`ProduceError` when Kafka
        cannot take it now (no metadata or a full buffer within ``max_block_ms``)."""
        from kafka.errors import KafkaError

        try:
            if self._producer is None:
                # Built on first use, and again after a failure: a new client is the only way
                # on after a refused batch, and building one needs a reachable broker.
                self._producer = kafka_clients.producer(self._kafka, self.name)
            future = self._producer.send(topic, key=key, value=value, headers=headers or [])
        except KafkaError as err:
            self._restart()
            raise ProduceError(f"Kafka did not take the {self.what}: {type(err).__name__}: {err}") from None
        future.add_errback(self._failed, label)

    def _failed(self, label: str, error: Exception) -> None:
        log.error("produce failed", extra={"record": label, "what": self.what, "error": repr(error)})
        self._failures.append(label)

    def flush(self, timeout_s: float | None = None) -> None:
        """Block until every record sent is acknowledged (acks=all) or failed, at most
        ``timeout_s`` (default: the delivery timeout and 10 s); raise :class:`ProduceError`
        if any failed or the time ran out."""
        from kafka.errors import KafkaTimeoutError

        # Past the bound, what is not acknowledged counts as failed.
        timeout_s = kafka_clients.flush_timeout_s(self._kafka) if timeout_s is None else timeout_s
        if self._producer is not None:
            try:
                self._producer.flush(timeout=timeout_s)
            except KafkaTimeoutError:
                self._restart()
                self._failures = []
                raise ProduceError(f"{self.what}s not acknowledged by Kafka within {timeout_s:g} s") from None
        if self._failures:
            # An idempotent producer treats a refused or expired batch as fatal and refuses
            # every later send: the next send builds a fresh one (guarded by
            # tests/ingest/test_producer.py::test_flush_raises_when_the_broker_refuses and
            # tests/faults/test_kafka_restart.py, an outage longer than the delivery timeout).
            self._restart()  # first: closing fails what the old client still held, reported here too
            failed, self._failures = self._failures, []
            raise ProduceError(f"{len(failed)} {self.what}(s) not acknowledged by Kafka, first {failed[0]}")

    def _restart(self) -> None:
        self._close(timeout_s=5)

    def _close(self, timeout_s: float) -> None:
        from kafka.errors import KafkaError

        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            producer.close(timeout=timeout_s)
        except KafkaError:
            # kafka-python's close raises when its records outlive the timeout, before it stops
            # the sender thread, which would then retry them for ever: stop it as its own
            # close does after a graceful timeout (tests/faults/test_kafka_restart.py).
            sender = getattr(producer, "_sender", None)
            if sender is not None:
                sender.force_close()

    def close(self) -> None:
        """Deliver what is queued (at most the delivery timeout and 10 s), then close."""
        self._close(kafka_clients.flush_timeout_s(self._kafka))
