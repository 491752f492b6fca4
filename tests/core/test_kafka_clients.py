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


def _secured(monkeypatch, protocol="SASL_SSL", mechanism="SCRAM-SHA-512", password="s3cret-pw", cafile=None):
    from core.settings import Settings

    for key, value in {"PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS": "broker.example:9096",
                       "PASSAPAROLA_KAFKA__SECURITY_PROTOCOL": protocol,
                       "PASSAPAROLA_KAFKA__SASL_MECHANISM": mechanism,
                       "PASSAPAROLA_KAFKA__SASL_USERNAME": "passaparola"}.items():
        monkeypatch.setenv(key, value)
    if password is not None:
        monkeypatch.setenv("PASSAPAROLA_SECRETS__KAFKA_SASL_PASSWORD", password)
    if cafile is not None:
        monkeypatch.setenv("PASSAPAROLA_KAFKA__SSL_CAFILE", str(cafile))
    return Settings()


def test_every_kafka_python_client_logs_in_with_the_secret_password(monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    settings = _secured(monkeypatch, cafile=ca)
    expected = {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_plain_username": "passaparola", "sasl_plain_password": "s3cret-pw", "ssl_cafile": str(ca)}
    assert kafka_clients.security(settings.kafka) == expected
    assert expected.items() <= kafka_clients.producer_config(settings.kafka, "ingest").items()
    # Copies of the section (a test's, a benchmark's namespace) keep the login.
    copy = settings.kafka.model_copy(update={"client_id": "other"})
    assert kafka_clients.security(copy)["sasl_plain_password"] == "s3cret-pw"
    assert "s3cret-pw" not in repr(settings) + repr(settings.kafka) + settings.model_dump_json()


def test_the_streams_worker_gets_the_same_login_through_faust(monkeypatch):
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    from streams.app import broker_credentials

    auth = credentials_to_aiokafka_auth(broker_credentials(_secured(monkeypatch).kafka))
    assert (auth["security_protocol"], auth["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (auth["sasl_plain_username"], auth["sasl_plain_password"]) == ("passaparola", "s3cret-pw")
    assert auth["ssl_context"] is not None
    plain = credentials_to_aiokafka_auth(broker_credentials(_secured(monkeypatch, protocol="SASL_PLAINTEXT").kafka))
    assert plain["security_protocol"] == "SASL_PLAINTEXT" and plain.get("ssl_context") is None


def test_sasl_without_a_password_is_a_configuration_error(monkeypatch):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="PASSAPAROLA_SECRETS__KAFKA_SASL_PASSWORD"):
        _secured(monkeypatch, password=None)


def test_plaintext_by_default():
    assert kafka_clients.security(KafkaSettings()) == {"security_protocol": "PLAINTEXT"}
