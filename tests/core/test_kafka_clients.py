"""The Kafka client factory: our delivery settings by default, overrides where a client needs them."""

from __future__ import annotations

import sys

import pytest

from core import kafka_clients
from core.settings import KafkaSettings


def test_producers_are_idempotent_with_acks_all_and_the_batching_settings():
    kafka = KafkaSettings(bootstrap_servers="b1:9092,b2:9092", client_id="acme", linger_ms=7, batch_bytes=4096)
    config = kafka_clients.producer_config(kafka, "ingest")
    assert config["acks"] == "all" and config["enable_idempotence"] is True
    assert config["bootstrap_servers"] == "b1:9092,b2:9092"
    assert config["client_id"] == "acme-ingest"
    assert (config["linger_ms"], config["batch_size"], config["compression_type"]) == (7, 4096, "gzip")


def test_no_compression_is_none_for_kafka_python():
    assert kafka_clients.producer_config(
        KafkaSettings(bootstrap_servers="b:1", compression="none"), "x"
    )["compression_type"] is None


def test_overrides_win_and_a_string_is_the_bootstrap_servers():
    config = kafka_clients.producer_config("b:9092", "state", linger_ms=0)
    assert config["linger_ms"] == 0 and config["bootstrap_servers"] == "b:9092"
    assert config["client_id"] == "passaparola-state"  # the default client id


def test_importing_the_factory_does_not_import_kafka_python():
    """kafka-python takes about a quarter of a second to import; commands that never touch
    Kafka (``ingest feed --dry-run``, ``enrich``) should not pay it."""
    import subprocess

    code = "import sys, core.kafka_clients, core.topics; print('kafka' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.integration
def test_each_client_talks_to_the_real_broker_and_closes(settings):
    from core.topics import TopicSpec, ensure_topics

    topic = settings.topics.mentions_raw
    ensure_topics(settings, [TopicSpec(topic, 1, 1)])
    with kafka_clients.producer(settings.kafka, "test") as out:
        out.send(topic, key=b"k", value=b"v").get(timeout=30)
    with kafka_clients.consumer(settings.kafka, "test", topic, group_id=f"{settings.kafka.client_id}-g") as reader:
        records = []
        for _ in range(30):  # polls of up to a second each, while the group forms
            records += [r for batch in reader.poll(timeout_ms=1000).values() for r in batch]
            if records:
                break
        assert [(r.key, r.value) for r in records] == [(b"k", b"v")]
    with kafka_clients.admin(settings.kafka) as admin:
        assert topic in admin.list_topics()
