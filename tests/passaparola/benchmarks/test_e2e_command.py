"""``passaparola bench e2e`` at a tiny size against the session's real Kafka and
Elasticsearch: it runs every part, writes coherent figures, and leaves nothing behind.
The figures of a run this small say nothing about speed; the command's shape is tested."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from kafka import KafkaAdminClient

from passaparola.config import Settings
from passaparola.benchmarks.e2e import PROBE_EVERY
from passaparola.benchmarks.runs import WARMUP

pytestmark = pytest.mark.integration
RATE, DURATION = 100, 5


def _bench_topics(settings: Settings) -> set[str]:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    try:
        return {t for t in admin.list_topics() if t.startswith(("bench-e2e-", "bench-race-", "bench-limits-"))}
    finally:
        admin.close()


def test_bench_e2e_measures_every_part_and_cleans_up(local_stack, base_settings: Settings, tmp_path):
    before = _bench_topics(base_settings)
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, "-m", "passaparola", "bench", "e2e", "--rate", str(RATE), "--duration", str(DURATION),
         "--race", "1000", "--limits", "1000", "--streams-workers", "2", "--peer-python", str(tmp_path / "no-python"),
         "--out", str(out)],
        env={**os.environ, "COLUMNS": "200"}, capture_output=True, text=True, timeout=540,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())

    s = figures["sustained"]
    assert s["mentions"] == RATE * DURATION and s["searchable_per_s"] > 0
    assert s["probes"] == len(range(WARMUP, WARMUP + RATE * DURATION, PROBE_EVERY))
    lat = s["latency_s"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert {"streams-1", "streams-2", "sink", "bench driver"} <= set(s["cpu_cores_used"])
    assert all(used >= 0 for used in s["cpu_cores_used"].values())

    race = figures["catch_up"]
    assert race["mentions"] == 1000 and race["ours_per_s"] > 0
    assert race["peer"].startswith("not run")  # no peer venv here: said, not faked
    assert all(figures["limits"][k] > 0 for k in ("kafka_produce_per_s", "kafka_consume_per_s", "enrich_per_s", "es_bulk_per_s"))
    assert "searchable" in run.stdout and "catch-up throughput against the limits" in run.stdout
    assert _bench_topics(base_settings) == before, "the run left its topics behind"
