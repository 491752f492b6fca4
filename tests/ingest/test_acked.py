"""The acknowledged producer's own rules, on a stand-in client: what it does when kafka-python
raises where its contract says it reports. The real broker's side (refused records, an
outage longer than the delivery timeout) is in test_producer.py and tests/faults."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaTimeoutError

from core import kafka_clients
from core.settings import KafkaSettings
from ingest.acked import AckedProducer, ProduceError


class StuckClient:
    """A kafka-python producer whose records never complete, as after a broker restart."""

    built = 0

    def __init__(self, *args, **kwargs):
        StuckClient.built += 1
        self.sender_stopped = False
        self.flush_timeouts: list[float] = []
        self._sender = self

    def send(self, *args, **kwargs):
        return self

    def add_errback(self, *args):
        return self

    def flush(self, timeout=None):
        self.flush_timeouts.append(timeout)
        raise KafkaTimeoutError("Timeout waiting for future")

    def close(self, timeout=None):
        self.flush(timeout)

    def force_close(self):
        self.sender_stopped = True


@pytest.fixture
def stuck(monkeypatch: pytest.MonkeyPatch) -> list[StuckClient]:
    clients: list[StuckClient] = []

    def build(*args, **kwargs):
        clients.append(StuckClient())
        return clients[-1]

    monkeypatch.setattr(kafka_clients, "producer", build)
    return clients


def test_a_flush_that_outlives_the_delivery_timeout_fails_and_the_next_send_gets_a_new_client(stuck):
    producer = AckedProducer(KafkaSettings(bootstrap_servers="b:1", delivery_timeout_s=7), "t", "mention")
    producer.send("topic", b"k", b"v", "m1")
    with pytest.raises(ProduceError, match="mentions not acknowledged by Kafka within 17 s"):
        producer.flush()  # not the KafkaTimeoutError, and bounded by the delivery timeout
    assert stuck[0].flush_timeouts == [17, 5]  # the flush, then the close that gives up on the client
    assert stuck[0].sender_stopped  # no thread left retrying the old records for ever
    producer.send("topic", b"k", b"v", "m2")
    assert len(stuck) == 2


def test_a_send_kafka_cannot_take_is_a_produce_error(monkeypatch: pytest.MonkeyPatch):
    def unreachable(*args, **kwargs):
        raise KafkaTimeoutError("Unable to bootstrap from b:1")

    monkeypatch.setattr(kafka_clients, "producer", unreachable)
    producer = AckedProducer(KafkaSettings(bootstrap_servers="b:1"), "t", "ingest error record")
    with pytest.raises(ProduceError, match="Kafka did not take the ingest error record: KafkaTimeoutError"):
        producer.send("topic", b"k", b"v", "m1")
    producer.flush()  # nothing was queued: nothing to report
    producer.close()


def test_the_delivery_timeout_reaches_every_kafka_python_producer():
    config = kafka_clients.producer_config(KafkaSettings(bootstrap_servers="b:1", delivery_timeout_s=6), "x")
    assert (config["delivery_timeout_ms"], config["request_timeout_ms"]) == (6000, 3000)
    default = kafka_clients.producer_config("b:1", "x")
    assert (default["delivery_timeout_ms"], default["request_timeout_ms"]) == (120_000, 30_000)
