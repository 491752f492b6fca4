"""The Faust streams worker as deployed (``passaparola streams worker``), against the real broker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from core import kafka_clients
from core.schema import Author, Mention
from core.settings import Settings
from core.topics import ensure_topics
from streams.app import faust_broker
from tests.support.net import free_port
from tests.support.waits import wait_until


def test_broker_urls_for_faust():
    assert faust_broker("a:9092, b:9093") == "kafka://a:9092;kafka://b:9093"


def _consume(settings: Settings, topic: str, count: int, timeout_s: float, worker: subprocess.Popen) -> list:
    with kafka_clients.consumer(settings.kafka, "test", topic, consumer_timeout_ms=1000) as consumer:
        got, deadline = [], time.monotonic() + timeout_s
        while len(got) < count and time.monotonic() < deadline and worker.poll() is None:
            got += list(consumer)
    return got


TEXTS = [
    "Caffè Aurora, il mio ordine non è ancora arrivato: vergogna! ({i})",
    "Quanto costa la miscela Alba di Caffè Aurora? ({i})",
    "Caffè Aurora is the best coffee in town, thanks! ({i})",
]


@pytest.mark.integration
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
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for m in [*mentions[:100], unmatched, *mentions[100:]]:
            producer.send(settings.topics.mentions_raw, key=m.thread_id.encode(), value=m.to_json())
        producer.send(settings.topics.mentions_raw, value=b"not json at all")
        producer.send(settings.topics.mentions_raw, value=json.dumps({"platform": "bluesky"}).encode())

    log = tmp_path / "streams.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "passaparola", "streams", "worker"], env=worker_env, stdout=out,
                                  stderr=subprocess.STDOUT)
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


def _scrape(port: int, path: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, ""
    except OSError:
        return 0, ""


def _lag_lines(text: str, worker: str, topic: str) -> list[float]:
    prefix = "passaparola_consumer_lag{"
    return [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith(prefix) and f'worker="{worker}"' in line and f'topic="{topic}"' in line]


@pytest.mark.integration
@pytest.mark.parametrize("worker_args,worker,topic_name", [
    (["streams", "worker"], "streams", "mentions_raw"),
    (["sink", "run"], "sink", "mentions_enriched"),
])
def test_workers_report_lag_and_health(settings: Settings, worker_env: dict, tmp_path, worker_args, worker, topic_name):
    """/healthz answers 200 while the worker runs; /metrics carries the consumer lag of each
    partition it reads, which falls to 0 once it has read what was produced."""
    ensure_topics(settings)
    topic = getattr(settings.topics, topic_name)
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for i in range(30):
            m = Mention(platform="bluesky", native_id=f"l{i}", source="t", author=Author(id="a"), text=TEXTS[0].format(i=i),
                        published_at=datetime(2026, 1, 1, tzinfo=timezone.utc), brands=["aurora"], brand="aurora")
            producer.send(topic, key=m.thread_id.encode(), value=m.to_json())
    port = free_port()
    env = {**worker_env, "PASSAPAROLA_METRICS_PORT": str(port)}
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "passaparola", *worker_args], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        lags = []

        def caught_up() -> bool:
            assert process.poll() is None, log.read_text()[-2000:]
            status, text = _scrape(port, "/metrics")
            lags[:] = _lag_lines(text, worker, topic)
            return status == 200 and len(lags) == settings.kafka.partitions and not any(lags)

        wait_until(caught_up, 90, "the lag of every partition at 0 on /metrics", every_s=1,
                   detail=lambda: f"{lags}\n{log.read_text()[-2000:]}")
        assert _scrape(port, "/healthz")[0] == 200
    finally:
        process.terminate()
        process.wait(30)
