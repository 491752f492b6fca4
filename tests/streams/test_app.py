"""The Faust streams worker as deployed (``passaparola streams worker``), against the real broker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from kafka import KafkaConsumer, KafkaProducer

from passaparola.config import Settings
from passaparola.schema import Author, Mention
from passaparola.topics import ensure_topics
from streams.app import faust_broker

pytestmark = pytest.mark.integration


def test_broker_urls_for_faust():
    assert faust_broker("a:9092, b:9093") == "kafka://a:9092;kafka://b:9093"


def _consume(settings: Settings, topic: str, count: int, timeout_s: float, worker: subprocess.Popen) -> list:
    consumer = KafkaConsumer(topic, bootstrap_servers=settings.kafka.bootstrap_servers, auto_offset_reset="earliest", consumer_timeout_ms=1000)
    got, deadline = [], time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline and worker.poll() is None:
        got += list(consumer)
    consumer.close()
    return got


TEXTS = [
    "Caffè Aurora, il mio ordine non è ancora arrivato: vergogna! ({i})",
    "Quanto costa la miscela Alba di Caffè Aurora? ({i})",
    "Caffè Aurora is the best coffee in town, thanks! ({i})",
]


def test_the_worker_enriches_drops_unmatched_and_dead_letters_the_rest(settings: Settings, worker_env: dict, tmp_path):
    ensure_topics(settings)
    worker_env = {**worker_env, "PASSAPAROLA_BRANDS": json.dumps([{"name": "aurora", "query": '"caffè aurora"'}])}
    mentions = [
        Mention(platform="bluesky", native_id=f"p{i}", source="t", author=Author(id="a"), text=TEXTS[i % 3].format(i=i),
                thread_id="thread-" + str(i % 3), published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        for i in range(200)
    ]
    unmatched = Mention(platform="bluesky", native_id="stray", source="t", author=Author(id="b"),
                        text="Oggi piove a Milano", published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    for m in [*mentions[:100], unmatched, *mentions[100:]]:
        producer.send(settings.topics.mentions_raw, key=m.thread_id.encode(), value=m.to_json())
    producer.send(settings.topics.mentions_raw, value=b"not json at all")
    producer.send(settings.topics.mentions_raw, value=json.dumps({"platform": "bluesky"}).encode())
    producer.flush()

    log = tmp_path / "streams.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "passaparola", "streams", "worker"], env=worker_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        enriched = _consume(settings, settings.topics.mentions_enriched, 200, 90, worker)
        letters = _consume(settings, settings.topics.mentions_dlq, 2, 30, worker)
        assert worker.poll() is None, log.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(30)

    out = [Mention.from_json(m.value) for m in enriched]
    # Every brand mention once, the stray one dropped.
    assert sorted(m.id for m in out) == sorted(m.id for m in mentions), log.read_text()[-3000:]
    # Keyed by thread, as on mentions.raw: a thread's messages stay in one partition, in order.
    assert all(msg.key.decode() == m.thread_id for msg, m in zip(enriched, out))
    assert all(m.brands == ["aurora"] and m.sentiment and m.language in ("it", "en") for m in out)
    intents = {m.native_id: m.intent for m in out}
    assert (intents["p0"], intents["p1"], intents["p2"]) == ("complaint", "purchase", "praise")
    reasons = sorted(json.loads(m.value)["reason"] for m in letters)
    assert len(reasons) == 2 and all(r.startswith("not a mention: ") for r in reasons)
    assert any("Invalid JSON" in r for r in reasons) and any("native_id" in r for r in reasons)
