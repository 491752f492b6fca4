"""The runs of ``passaparola bench e2e``: a sustained load, a catch-up race against the
quix-streams peer on the same topic, and the machine's limits; figures as plain dicts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from core import kafka_clients
from core.settings import Settings
from ingest.producer import MentionProducer
from passaparola.benchmarks import limits
from passaparola.benchmarks.e2e import (
    Pipeline,
    ProbeWatcher,
    bench_env,
    bench_stream,
    clean,
    percentile,
    produce_paced,
    scratch_settings,
    wait_searchable,
)
from passaparola.demo.pipeline import wait_drained

REPO = Path(__file__).resolve().parents[2]
PEER_PYTHON = REPO / ".venv-bench" / "bin" / "python"  # the quix-streams peer's venv: make bench (or make test)
RACE_TIMEOUT_S = 900.0  # for each side of the catch-up race
WARMUP = 500  # mentions through the pipeline before measuring: group joins, first index, imports
Report = Callable[[str], None]


def sustained(settings: Settings, rate: float, duration_s: float, logs: Path, report: Report, streams_workers: int = 1) -> dict:
    """Offer ``rate`` mentions/s for ``duration_s``; throughput, latency and CPU per worker."""
    cfg = scratch_settings(settings, "e2e")
    count = int(rate * duration_s)
    stream = bench_stream(WARMUP + count, live=True)
    warmup, measured = stream[:WARMUP], stream[WARMUP:]
    try:
        with Pipeline(cfg, logs / cfg.kafka.client_id, streams_workers) as pipeline:
            produce_paced(cfg, warmup, rate, None)
            wait_searchable(cfg, len(warmup), pipeline.check, timeout_s=180)
            report(f"warm: {WARMUP} mentions searchable; offering {rate:,.0f}/s for {duration_s:.0f} s")
            cpu_before, watcher = pipeline.cpu_seconds(), ProbeWatcher(cfg)
            watcher.start()
            started = time.time()
            sending_s = produce_paced(cfg, measured, rate, watcher)
            visible_at = wait_searchable(cfg, len(stream), pipeline.check, timeout_s=duration_s + 300)
            watcher.stop()
            wall = visible_at - started
            cpu = {name: (used - cpu_before[name]) / wall for name, used in pipeline.cpu_seconds().items()}
    finally:
        clean(cfg)
    latencies = list(watcher.latency.values())
    return {
        "offered_per_s": rate,
        "mentions": count,
        "sent_per_s": round(count / sending_s),
        "searchable_per_s": round(count / wall),
        "drain_s_after_last_send": round(wall - sending_s, 2),
        "probes": len(watcher.sent),
        "latency_s": ({f"p{q}": _round(percentile(latencies, q)) for q in (50, 95, 99)}
                      | {"max": _round(max(latencies, default=None))}),
        "latency_resolution_s": 0.1,
        "cpu_cores_used": {name: round(value, 2) for name, value in cpu.items()},
    }


def catch_up(settings: Settings, count: int, logs: Path, report: Report, peer_python: str | None = None,
             streams_workers: int = 1) -> dict:
    """``count`` mentions waiting on a topic; how fast our workers, then the quix-streams
    peer, make them all searchable. Each side is timed from the moment it first handled a
    mention to the moment the last one is searchable, so neither side's start-up (imports,
    group joins) counts, and neither gains from a stage that started late."""
    cfg = scratch_settings(settings, "race")
    stream = bench_stream(count)
    try:
        from core.topics import ensure_topics

        ensure_topics(cfg)
        with MentionProducer(cfg, worker="bench") as producer:
            for mention in stream:
                producer.send(mention)
        # Not settled first: the backlog would be gone before the measurement starts.
        with Pipeline(cfg, logs / cfg.kafka.client_id, streams_workers, settle=False) as pipeline:
            done = wait_searchable(cfg, count, pipeline.check, RACE_TIMEOUT_S, refresh=True)
            agents_done = _all_committed_at(cfg, (cfg.topics.mentions_enriched, cfg.topics.mentions_by_brand), pipeline)
        # Our first stage's first output: the earliest enriched mention's Kafka timestamp.
        started = _first_record_at(cfg, cfg.topics.mentions_enriched)
        ours, whole = _rate(count, started, done), _rate(count, started, agents_done)
        report(f"catch-up, our workers: {_rate_text(ours)} searchable; every agent done (reply tracker and spike "
               f"detector too) at {_rate_text(whole)}")
        result = {"mentions": count, "ours_per_s": _round(ours, None), "ours_all_agents_per_s": _round(whole, None)}
        if peer_python:
            result |= _race_peer(cfg, count, peer_python, report)
    finally:
        clean(cfg)
    return result


def _race_peer(cfg: Settings, count: int, peer_python: str, report: Report) -> dict:
    """The quix-streams peer on the same topic, in its own venv (it needs other pydantic
    pins than ours), timed like our workers: from the first mention it decoded (its own
    report) to the last one searchable (our look at its index)."""
    import json
    import subprocess

    if not Path(peer_python).exists():
        report(f"quix-streams peer skipped: no {peer_python} (make bench creates it)")
        return {"peer": f"not run: no {peer_python}"}
    index = f"{cfg.elasticsearch.index_prefix}-peer"
    process = subprocess.Popen([peer_python, "-m", "passaparola.benchmarks.quix_peer",
                                cfg.topics.mentions_raw, index, str(count), "--timeout", "900"],
                               cwd=REPO, env=bench_env(cfg), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        done = wait_searchable(cfg, count, lambda: None, RACE_TIMEOUT_S, index=index, refresh=True,
                               alive=lambda: process.poll() is None)
        own_view = json.loads(process.communicate(timeout=120)[0].strip().splitlines()[-1])
    finally:
        if process.poll() is None:
            process.kill()
    peer = _rate(count, own_view.get("started_at"), done)
    report(f"catch-up, quix-streams peer: {_rate_text(peer)}")
    return {"peer_per_s": _round(peer, None), "peer_own_figures": own_view}


def _rate(count: int, started_at: float | None, done_at: float) -> float | None:
    """Mentions per second between two wall-clock times; None without a start."""
    if started_at is None or done_at <= started_at:
        return None
    return count / (done_at - started_at)


def _rate_text(per_s: float | None) -> str:
    return "not measured: no start time was found" if per_s is None else f"{per_s:,.0f} mentions/s"


def _first_record_at(cfg: Settings, topic: str) -> float | None:
    """The wall time (seconds) of ``topic``'s earliest record, from Kafka's timestamps (the
    producer's clock: this machine's); None if the topic is empty."""
    from kafka import TopicPartition

    with kafka_clients.consumer(cfg.kafka, "bench-first") as consumer:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        earliest = consumer.offsets_for_times(dict.fromkeys(partitions, 0))
    stamps = [found.timestamp for found in earliest.values() if found is not None]
    return min(stamps) / 1000 if stamps else None


def _all_committed_at(cfg: Settings, topics: tuple[str, ...], pipeline: Pipeline) -> float:
    """The wall time at which the streams workers' group has committed every message of
    ``topics`` (every agent has handled them). Faust commits every 2.8 s at most, so this
    can be that much late: a rate from it errs low."""
    from streams.app import app_id

    for topic in topics:  # in pipeline order: once the first is drained, the next gets no more
        wait_drained(cfg, app_id(cfg), topic, RACE_TIMEOUT_S, pipeline.workers, poll_s=0.2)
    return time.time()


def machine_limits(settings: Settings, count: int) -> dict:
    """This machine's limit for each stage over ``count`` mentions, rounded to whole numbers."""
    cfg = scratch_settings(settings, "limits")
    try:
        found = limits.measure(cfg, bench_stream(count))
    finally:
        clean(cfg)
    return {k: round(v) for k, v in vars(found).items()}


def _round(value: float | None, ndigits: int | None = 3) -> float | int | None:
    """``round`` that lets "not measured" (None) through; ``ndigits=None`` gives an int."""
    return None if value is None else round(value, ndigits)
