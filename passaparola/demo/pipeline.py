"""The demo: the generated stream through the real pipeline, then a summary of what is searchable.

ingest (the generated stream) -> mentions.raw -> streams worker (Faust) -> mentions.enriched
-> sink worker -> Elasticsearch. The workers run as the same subprocesses a deployment
runs; the demo only starts them, feeds them, waits until Kafka says they are done, and
stops them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from elasticsearch import NotFoundError
from elasticsearch.helpers import bulk, scan
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import RetriableError
from rich.progress import Progress

from core import kafka_clients
from core.elastic import connect
from core.errors import PassaparolaError
from core.schema import Mention
from core.settings import Brand, Settings
from core.topics import end_offsets
from ingest.producer import MentionProducer
from passaparola.demo.generator import DEMO_BRANDS, generate
from passaparola.parent_watch import PARENT_ENV
from sinks.base import sink_group
from sinks.elasticsearch import alias, index_name
from streams.app import app_id


class PipelineError(PassaparolaError):
    """The pipeline did not finish: a worker died or did not catch up in time."""


def remove_moved_copies(settings: Settings, mentions: list[Mention]) -> int:
    """Delete earlier demo copies that sit in another month's index than these will.

    Indices are monthly by ``published_at`` and the demo re-dates its stream to the current
    hour on every run: without this, a run in a new month would leave last month's copy of
    each id beside the new one. Real mentions never change their publication time.
    """
    es = connect(settings)
    prefix = settings.elasticsearch.index_prefix
    target = {m.id: index_name(prefix, "mentions", m.published_at) for m in mentions}
    try:
        hits = scan(es, index=alias(prefix), query={"query": {"ids": {"values": list(target)}}}, _source=False)
        moved = [{"_op_type": "delete", "_index": h["_index"], "_id": h["_id"]} for h in hits if h["_index"] != target[h["_id"]]]
    except NotFoundError:  # no index yet
        return 0
    bulk(es, moved, refresh=True)
    return len(moved)


def produce(settings: Settings, mentions: list[Mention]) -> None:
    """Send ``mentions`` to mentions.raw and wait until Kafka acknowledged every one."""
    with MentionProducer(settings, worker="ingest-demo") as producer, Progress(transient=True) as bar:
        task = bar.add_task("producing to Kafka", total=len(mentions))
        for mention in mentions:
            producer.send(mention)
            bar.advance(task)


def produce_demo(settings: Settings, seed: int = 7, anchor: datetime | None = None, scale: float = 1.0) -> int:
    """Generate the demo stream and produce it to mentions.raw; return how many mentions."""
    mentions = generate(seed=seed, anchor=anchor, scale=scale)
    produce(settings, mentions)
    return len(mentions)


def _offsets_reader(settings: Settings) -> KafkaConsumer:
    """A consumer that only reads offsets: no group, nothing to commit."""
    return kafka_clients.consumer(settings.kafka, "offsets")


def consumer_lag(settings: Settings, group: str, topic: str) -> int:
    """Messages of ``topic`` that ``group`` has not committed yet."""
    with kafka_clients.admin(settings.kafka, "lag") as admin:
        committed = admin.list_group_offsets(group).get(group, {})
    ends = end_offsets(settings.kafka, topic)
    return sum(end - (committed[tp].offset if (tp := TopicPartition(topic, p)) in committed else 0) for p, end in ends.items())


def wait_drained(settings: Settings, group: str, topic: str, timeout_s: float, workers: list[Worker],
                 poll_s: float = 0.5) -> None:
    """Wait until ``group`` has committed all of ``topic``; raise if a worker dies or
    ``timeout_s`` passes first."""
    deadline = time.monotonic() + timeout_s
    while (lag := _lag_or_none(settings, group, topic)) != 0:
        for worker in workers:
            worker.check()
        if time.monotonic() > deadline:
            behind = "an unknown number of" if lag is None else lag
            raise PipelineError(f"{group} still {behind} messages behind on {topic} after {timeout_s:.0f} s")
        time.sleep(poll_s)


def _lag_or_none(settings: Settings, group: str, topic: str) -> int | None:
    try:
        return consumer_lag(settings, group, topic)
    except RetriableError:  # e.g. a new broker still creating __consumer_offsets
        return None


def wait_quiet(settings: Settings, topic: str, quiet_s: float = 2.0) -> None:
    """Wait until nothing more is appended to ``topic`` for ``quiet_s`` (in-flight sends land)."""
    consumer = _offsets_reader(settings)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        last, since = None, time.monotonic()
        while time.monotonic() - since < quiet_s:
            now = consumer.end_offsets(partitions)
            if now != last:
                last, since = now, time.monotonic()
            time.sleep(0.25)
    finally:
        consumer.close()


def die_with_parent() -> None:
    """In the child, before exec: ask Linux for a SIGTERM when the parent dies, since a demo
    or benchmark killed by ``timeout`` or SIGKILL never reaches the clean-up that stops its
    workers (test_a_worker_stops_when_its_driver_is_killed)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Worker:
    """A worker subprocess, started by the demo like a deployment would start it; it is
    stopped when the process that started it dies (on Linux: SIGTERM, then
    :mod:`passaparola.parent_watch` ends it if it is still there 30 s later)."""

    name: str
    args: list[str]
    log: Path
    env: dict[str, str] | None = None
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {**(os.environ if self.env is None else self.env), PARENT_ENV: str(os.getpid())}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "passaparola", *self.args], stdout=out, stderr=subprocess.STDOUT, env=env,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )

    def check(self) -> None:
        if self.process and self.process.poll() is not None:
            raise PipelineError(f"the {self.name} worker exited with code {self.process.returncode}; see {self.log}")

    def stop(self, timeout_s: float = 30) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class DemoRun:
    produced: int
    indexed: int
    seconds: float
    logs: list[Path]
    refused: dict[str, int]  # dead-letter topic -> messages it received during the run


def topic_size(settings: Settings, topic: str) -> int:
    """Messages ever appended to ``topic`` (sum of its partitions' end offsets)."""
    return sum(end_offsets(settings.kafka, topic).values())


def run_pipeline(
    settings: Settings,
    mentions: list[Mention],
    report: Callable[[str], None] = lambda _: None,
    timeout_s: float = 300,
    worker_env: dict[str, str] | None = None,
    brands: list[Brand] = DEMO_BRANDS,
) -> DemoRun:
    """Push ``mentions`` through the real workers and wait until Elasticsearch has them all.

    The workers read their settings as any deployment's do, from the environment and the
    TOML file: ``worker_env`` must give them the same settings as ``settings`` when these
    were not loaded from the environment (tests). ``brands`` replaces the configured
    brands for the workers (the demo's own by default, whatever passaparola.toml says).
    """
    env = dict(os.environ if worker_env is None else worker_env)
    env["PASSAPAROLA_BRANDS"] = json.dumps([b.model_dump() for b in brands])
    # The demo is short: check SLAs every second instead of every 30 s.
    env.setdefault("PASSAPAROLA_REPLIES__TICK_S", "1")
    logs_dir = settings.stack.state_dir / "demo" / settings.kafka.client_id
    workers = [
        Worker("streams", ["streams", "worker"], logs_dir / "streams.log", env),
        Worker("sink", ["sink", "run"], logs_dir / "sink.log", env),
    ]
    dead_letters = [settings.topics.mentions_dlq, settings.topics.sink_dlq]
    before = {topic: topic_size(settings, topic) for topic in dead_letters}
    begin = time.monotonic()
    if moved := remove_moved_copies(settings, mentions):
        report(f"removed {moved} copies of earlier demo runs dated in another month")
    try:
        for worker in workers:
            worker.start()
        report(f"workers started (logs in {logs_dir})")
        produce(settings, mentions)
        report(f"{len(mentions)} mentions produced to {settings.topics.mentions_raw}")
        wait_drained(settings, app_id(settings), settings.topics.mentions_raw, timeout_s, workers)
        report(f"streams worker caught up ({time.monotonic() - begin:.1f} s)")
        # Then the stages inside the streams worker: the reply tracker and the router read
        # mentions.enriched, the spike detector reads what the router re-keyed by brand.
        for topic in (settings.topics.mentions_enriched, settings.topics.mentions_by_brand):
            wait_quiet(settings, topic)
            wait_drained(settings, app_id(settings), topic, timeout_s, workers)
        # SLA ticks come every second; once replies stop growing the tracker has said it all.
        wait_quiet(settings, settings.topics.replies, quiet_s=3.0)
        for topic in (settings.topics.mentions_enriched, settings.topics.replies, settings.topics.alerts):
            wait_drained(settings, sink_group(settings), topic, timeout_s, workers)
        report(f"sink worker caught up ({time.monotonic() - begin:.1f} s)")
    finally:
        for worker in workers:
            worker.stop()
    es = connect(settings)
    index = alias(settings.elasticsearch.index_prefix)
    es.indices.refresh(index=index)
    ids = [m.id for m in mentions]
    indexed = es.count(index=index, query={"ids": {"values": ids}})["count"]
    refused = {topic: topic_size(settings, topic) - before[topic] for topic in dead_letters}
    return DemoRun(len(mentions), indexed, time.monotonic() - begin, [w.log for w in workers], refused)
