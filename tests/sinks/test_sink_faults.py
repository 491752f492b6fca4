"""100,000 mentions through the sink worker, killed with SIGKILL or with Elasticsearch gone
for a minute halfway: every mention indexed exactly once.

The sink runs as deployed (``passaparola sink run`` in a subprocess). The outage test
gets an Elasticsearch node of its own, so stopping it leaves the session's node alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from core.schema import Author, Mention
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from ingest.producer import MentionProducer
from passaparola.stack.elasticsearch import ElasticsearchNode
from passaparola.stack.process import wait_until as wait_healthy
from sinks.elasticsearch import alias
from tests.support.net import free_port
from tests.support.waits import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.faults]
N = 100_000
T0 = datetime(2026, 2, 1, tzinfo=timezone.utc)


def _mentions(n: int) -> list[Mention]:
    # Spread over two months, so two monthly indices share the work.
    return [
        Mention(platform="reddit", native_id=f"f{i}", source="faults", author=Author(id=f"u{i % 997}", followers=i),
                text=f"menzione numero {i}", thread_id=f"t{i % 5000}", published_at=T0 + timedelta(minutes=i))
        for i in range(n)
    ]


def _produce(settings: Settings, mentions: list[Mention]) -> None:
    ensure_topics(settings)
    with MentionProducer(settings, topic=settings.topics.mentions_enriched) as producer:
        for mention in mentions:
            producer.send(mention)


def _count(es: Elasticsearch, prefix: str) -> int:
    try:
        es.indices.refresh(index=alias(prefix))
        return es.count(index=alias(prefix))["count"]
    except Exception:  # noqa: BLE001 - the node may be down or the index not there yet
        return -1


def _sink(env: dict, log: Path, idle_exit: float | None = None) -> subprocess.Popen:
    args = [sys.executable, "-m", "passaparola", "sink", "run"] + (["--idle-exit", str(idle_exit)] if idle_exit else [])
    with open(log, "ab") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_for(condition, timeout_s: float, what: str, log: Path) -> None:
    wait_until(condition, timeout_s, what, every_s=0.5, detail=lambda: f"sink log:\n{log.read_text()[-3000:]}")


def _assert_exactly_once(es: Elasticsearch, prefix: str, mentions: list[Mention]) -> None:
    """Every mention indexed once with what was sent: the exact id set (a count could hide
    one missing and one doubled) and each document's text and thread."""
    from elasticsearch.helpers import scan

    assert _count(es, prefix) == len(mentions)
    hits = scan(es, index=alias(prefix), query={"sort": ["_doc"]}, size=5000, _source=["text", "thread_id"])
    found = {h["_id"]: (h["_source"]["text"], h["_source"]["thread_id"]) for h in hits}
    assert found == {m.id: (m.text, m.thread_id) for m in mentions}


def test_sigkill_in_the_middle_loses_and_doubles_nothing(settings: Settings, worker_env: dict, tmp_path: Path):
    from core.elastic import connect

    mentions = _mentions(N)
    _produce(settings, mentions)
    es, prefix, log = connect(settings), settings.elasticsearch.index_prefix, tmp_path / "sink.log"
    sink = _sink(worker_env, log)
    _wait_for(lambda: _count(es, prefix) >= N // 3, 240, "a third indexed", log)
    os.kill(sink.pid, signal.SIGKILL)
    sink.wait()
    at_kill = _count(es, prefix)
    assert 0 < at_kill < N, "the kill must land in the middle"
    restarted = _sink(worker_env, log, idle_exit=10)
    assert restarted.wait(timeout=400) == 0, log.read_text()[-3000:]
    _assert_exactly_once(es, prefix, mentions)


@pytest.fixture
def own_elasticsearch(base_settings: Settings, tmp_path: Path):
    """An Elasticsearch node for one test, from the same cached download."""
    stack = base_settings.stack.model_copy(
        update={"state_dir": tmp_path / "es-state", "elasticsearch_port": free_port(),
                "elasticsearch_transport_port": free_port()}
    )
    node = ElasticsearchNode(stack)

    def start() -> None:
        node.launch()
        wait_healthy(node.healthy, what="own Elasticsearch", timeout_s=180, log=node.log, alive=node.alive)

    start()
    yield node, start
    node.process.stop()


def test_elasticsearch_gone_for_a_minute_loses_and_doubles_nothing(
    settings: Settings, worker_env: dict, tmp_path: Path, own_elasticsearch
):
    node, start_node = own_elasticsearch
    settings = settings.model_copy(update={"elasticsearch": settings.elasticsearch.model_copy(update={"url": node.url})})
    env = {**worker_env, "PASSAPAROLA_ELASTICSEARCH__URL": node.url}
    mentions = _mentions(N)
    _produce(settings, mentions)
    es, prefix, log = Elasticsearch(node.url), settings.elasticsearch.index_prefix, tmp_path / "sink.log"
    sink = _sink(env, log, idle_exit=15)
    _wait_for(lambda: _count(es, prefix) >= N // 4, 240, "a quarter indexed", log)
    assert node.process.stop()
    stopped_at = time.monotonic()
    time.sleep(60)  # the outage is the scenario
    assert sink.poll() is None, "the sink must wait for Elasticsearch, not die:\n" + log.read_text()[-3000:]
    start_node()
    assert time.monotonic() - stopped_at >= 60
    assert sink.wait(timeout=400) == 0, log.read_text()[-3000:]
    _assert_exactly_once(es, prefix, mentions)
    assert "target unavailable, retrying" in log.read_text()


def test_a_document_elasticsearch_refuses_goes_to_the_dlq_and_the_rest_flows(settings: Settings, worker_env: dict,
                                                                             tmp_path: Path):
    from core.elastic import connect

    mentions = _mentions(2000)
    # Valid for the schema, refused by the index: followers beyond a long.
    poison = Mention(platform="reddit", native_id="poison", source="faults", author=Author(id="p", followers=2**70),
                     text="troppi follower", published_at=T0)
    _produce(settings, [*mentions[:1000], poison, *mentions[1000:]])
    log = tmp_path / "sink.log"
    assert _sink(worker_env, log, idle_exit=5).wait(timeout=300) == 0, log.read_text()[-3000:]
    es, prefix = connect(settings), settings.elasticsearch.index_prefix
    assert _count(es, prefix) == 2000
    (letter,) = [json.loads(value) for _key, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.sink_dlq)]
    assert Mention.from_json(letter["value"]).id == poison.id
    assert letter["reason"].startswith("rejected by Elasticsearch (400): ") and "followers" in letter["reason"]
