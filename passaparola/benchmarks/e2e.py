"""The whole pipeline under a steady offered load: sustained throughput and how long a
mention takes from being published to Kafka to being searchable in Elasticsearch.

The workers run as deployed (:class:`Pipeline`) on the run's own topics, groups and
indices. Mentions are the demo stream's (those enrichment keeps), repeated under new ids,
with their send time in ``fetched_at`` and, in the sustained run, in ``published_at`` too,
so spike windows fill and close in real time as with a live feed (the demo's own times,
repeated, would run back over three days and the detector would drop them as late).
One in ``PROBE_EVERY`` is a probe (``source`` = ``bench-probe``): a poller looks for new
probes every ``POLL_S`` and takes "first seen" minus ``fetched_at`` as the latency, an
upper bound at that resolution, refresh interval included, as a user would see it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from core import kafka_clients
from core.elastic import connect
from core.schema import Mention
from core.settings import Settings
from core.topics import ensure_topics
from ingest.producer import MentionProducer
from passaparola.demo.namespace import namespaced, worker_env
from passaparola.demo.pipeline import Worker
from sinks.elasticsearch import ElasticsearchSink, alias

PROBE_EVERY = 25
POLL_S = 0.1
PROBE_SOURCE = "bench-probe"
_PLACEHOLDER = datetime(1999, 9, 9, 9, 9, 9, 999999, tzinfo=timezone.utc)
_PLACEHOLDER_TEXT = b'"fetched_at":"1999-09-09T09:09:09.999999Z"'
_LIVE = datetime(1999, 8, 8, 8, 8, 8, 888888, tzinfo=timezone.utc)
_LIVE_TEXT = b'"published_at":"1999-08-08T08:08:08.888888Z"'


def scratch_settings(settings: Settings, label: str) -> Settings:
    """Topics, client id (so consumer groups) and index prefix of one benchmark run."""
    tag = f"bench-{label}-{uuid.uuid4().hex[:6]}"
    return namespaced(settings, f"{tag}.", tag, tag)


def bench_stream(count: int, live: bool = False) -> list[Mention]:
    """``count`` raw mentions that enrichment keeps, every ``PROBE_EVERY``-th a probe;
    ``live``: :func:`produce_paced` stamps ``published_at`` with the send time too."""
    from passaparola.demo.generator import DEMO_BRANDS, generate
    from streams.enrichment.enricher import Enricher

    enricher = Enricher(DEMO_BRANDS)
    base = [m for m in generate(seed=17, scale=1.0) if enricher.keeps(enricher.enrich(m))]
    out = []
    for n in range(count):
        m = base[n % len(base)]
        out.append(Mention(**{**m.model_dump(), "id": "", "thread_id": "", "parent_id": None, "native_id": f"{m.native_id}-b{n}",
                              "source": PROBE_SOURCE if n % PROBE_EVERY == 0 else "bench", "fetched_at": _PLACEHOLDER}
                           | ({"published_at": _LIVE} if live else {})))
    return out


def bench_env(settings: Settings) -> dict[str, str]:
    """Environment of a worker of this run: its namespace, and the demo's brands (the
    mentions are the demo's), whatever passaparola.toml says."""
    import json
    import os

    from passaparola.demo.generator import DEMO_BRANDS

    env = worker_env(settings, dict(os.environ))
    env["PASSAPAROLA_BRANDS"] = json.dumps([b.model_dump() for b in DEMO_BRANDS])
    return env


JOIN_TIMEOUT_S = 120.0


@dataclass
class Pipeline:
    """The streams and sink workers of one run, started as a deployment starts them."""

    settings: Settings
    logs: Path
    streams_workers: int = 1
    settle: bool = True  # wait until every streams worker is in the group before returning
    workers: list[Worker] = field(default_factory=list)

    def __enter__(self) -> Pipeline:
        ensure_topics(self.settings)
        ElasticsearchSink.from_settings(self.settings).setup()
        env = bench_env(self.settings)
        # More than one streams worker: one consumer group, the partitions shared among them.
        self.workers = [Worker(name, ["streams", "worker"], self.logs / f"{name}.log", env)
                        for name in _names("streams", self.streams_workers)]
        self.workers.append(Worker("sink", ["sink", "run"], self.logs / "sink.log", env))
        for worker in self.workers:
            worker.start()
        if self.settle:
            self._wait_joined(timeout_s=JOIN_TIMEOUT_S)
        return self

    def _wait_joined(self, timeout_s: float) -> None:
        """Wait until every streams worker is a member of the group and the group is stable:
        a rebalance under load pauses the pipeline, and the measured run starts from a
        settled group, as a deployment would."""
        from streams.app import app_id

        group = app_id(self.settings)
        admin = kafka_clients.admin(self.settings.kafka, "bench-group")
        deadline = time.monotonic() + timeout_s
        # kafka-python warns on every call that it cannot decode Faust's member metadata.
        quiet = logging.getLogger("kafka.admin")
        level, quiet.level = quiet.level, logging.ERROR
        try:
            while True:
                self.check()
                described = admin.describe_groups([group]).get(group) or {}
                if described.get("group_state") == "Stable" and len(described.get("members") or []) == self.streams_workers:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.streams_workers} streams workers not all in group {group} after {timeout_s:.0f} s")
                time.sleep(0.5)
        finally:
            quiet.setLevel(level)
            admin.close()

    def check(self) -> None:
        for worker in self.workers:
            worker.check()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far (user + system) by each worker, each local service (when the
        local stack runs them) and this process (the load generator and latency poller)."""
        import os

        from passaparola.stack import LocalStack

        used = {w.name: _cpu_seconds(w.process.pid) for w in self.workers if w.process}
        for service in LocalStack(self.settings.stack).status():
            if service.pid is not None:
                used[service.name] = _cpu_seconds(service.pid)
        used["bench driver"] = _cpu_seconds(os.getpid())
        return used

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()


def _names(kind: str, count: int) -> list[str]:
    return [kind] if count == 1 else [f"{kind}-{n}" for n in range(1, count + 1)]


def _cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ProbeWatcher(threading.Thread):
    """Polls Elasticsearch for probes and records when each was first searchable."""

    def __init__(self, settings: Settings):
        super().__init__(daemon=True)
        self.es, self.index = connect(settings), alias(settings.elasticsearch.index_prefix)
        self.sent: dict[str, float] = {}  # probe id -> wall time sent
        self.latency: dict[str, float] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(POLL_S):
            waiting = [i for i in list(self.sent) if i not in self.latency]
            if not waiting:
                continue
            try:
                hits = self.es.search(index=self.index, query={"ids": {"values": waiting}}, size=len(waiting),
                                      source=False, ignore_unavailable=True)["hits"]["hits"]
            except Exception:  # the month's index may not exist yet; the next poll sees it
                continue
            now = time.time()
            for hit in hits:
                self.latency[hit["_id"]] = now - self.sent[hit["_id"]]

    def stop(self) -> None:
        self._done.set()
        self.join()


def produce_paced(settings: Settings, mentions: list[Mention], rate: float, watcher: ProbeWatcher | None) -> float:
    """Send ``mentions`` at ``rate`` per second, stamping each with its send time; returns
    the seconds it took (longer than planned if the producer could not keep the pace)."""
    payloads = [(m.thread_id.encode(), m.to_json(), m.id, m.source == PROBE_SOURCE) for m in mentions]
    with MentionProducer(settings, worker="bench") as producer:
        start, sent = time.perf_counter(), 0
        while sent < len(payloads):
            due = min(len(payloads), int((time.perf_counter() - start) * rate) + 1)
            while sent < due:
                key, value, mention_id, probe = payloads[sent]
                now = time.time()
                stamp = datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
                stamped = value.replace(_PLACEHOLDER_TEXT, b'"fetched_at":"' + stamp.encode() + b'"')
                producer.send_json(key, stamped.replace(_LIVE_TEXT, b'"published_at":"' + stamp.encode() + b'"'), mention_id)
                if probe and watcher is not None:
                    watcher.sent[mention_id] = now
                sent += 1
            time.sleep(0.002)
        elapsed = time.perf_counter() - start
    return elapsed


def wait_searchable(settings: Settings, total: int, check: Callable[[], None], timeout_s: float, *,
                    index: str | None = None, refresh: bool = False, alive: Callable[[], bool] = lambda: True) -> float:
    """Block until ``index`` (default: the run's mentions) holds ``total`` documents (it holds
    only this run's, each id once); returns the wall time it happened, looking every 0.2 s.
    A plain count, not an ids query: tens of thousands of ids every 0.2 s would load the
    machine being measured. ``refresh`` refreshes before each look, for the moment the last
    document was written rather than when a user would see it; ``alive`` false (the writer
    is gone) ends the wait at once. ``check`` raises if a worker died."""
    es, index = connect(settings), index or alias(settings.elasticsearch.index_prefix)
    deadline = time.monotonic() + timeout_s
    while True:
        check()
        running = alive()  # asked before the count: a writer that stopped after it is not missed
        try:
            if refresh:
                es.indices.refresh(index=index)
            if es.count(index=index)["count"] >= total:
                return time.time()
        except Exception:  # no index yet
            pass
        if not running or time.monotonic() > deadline:
            raise TimeoutError(f"{index}: not all {total} documents searchable after {timeout_s:.0f} s")
        time.sleep(0.2)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile of ``values``, one of the values (no interpolation); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def clean(settings: Settings, tag: str | None = None) -> None:
    """Delete a run's topics (Faust's included), index templates and indices: every one
    whose name starts with ``tag`` (default: the run's client id)."""
    tag = tag or settings.kafka.client_id
    es = connect(settings)
    for name in es.indices.get(index=f"{tag}-*", expand_wildcards="all"):
        es.indices.delete(index=name)
    templates = es.options(ignore_status=404).indices.get_index_template(name=f"{tag}-*")
    for template in templates.get("index_templates", []):
        es.indices.delete_index_template(name=template["name"])
    with kafka_clients.admin(settings.kafka, "bench-clean") as admin:
        topics = [t for t in admin.list_topics() if t.startswith(tag)]
        if topics:
            admin.delete_topics(topics)
