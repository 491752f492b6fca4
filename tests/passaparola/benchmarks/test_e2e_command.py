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
# Enough for the sink's bulks (up to 1,000 documents each) to show the catch-up in steps: a
# race of 1,000 could be searchable all at once, and then has no rate to measure.
RACE = 5000


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
         "--race", str(RACE), "--limits", "1000", "--streams-workers", "2", "--peer-python", str(tmp_path / "no-python"),
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
    assert race["mentions"] == RACE and race["ours_per_s"] > 0
    assert race["peer"].startswith("not run")  # no peer venv here: said, not faked
    assert all(figures["limits"][k] > 0 for k in ("kafka_produce_per_s", "kafka_consume_per_s", "enrich_per_s", "es_bulk_per_s"))
    assert "searchable" in run.stdout and "catch-up throughput against the limits" in run.stdout
    assert _bench_topics(base_settings) == before, "the run left its topics behind"


def test_a_backlog_searchable_at_the_first_look_has_no_rate_rather_than_nan(settings: Settings):
    from passaparola.benchmarks.runs import _steady_rate
    from passaparola.elastic import connect

    es, index = connect(settings), f"{settings.elasticsearch.index_prefix}-steady"
    for n in range(3):
        es.index(index=index, id=str(n), document={"n": n})
    es.indices.refresh(index=index)
    assert _steady_rate(settings, index, 3, lambda: None) is None


def test_the_summary_says_what_was_not_measured(capsys):
    from passaparola.cli.bench import _print_e2e

    limits = dict.fromkeys(("kafka_produce_per_s", "kafka_consume_per_s", "enrich_per_s", "es_bulk_per_s"), 1000)
    sustained = {"offered_per_s": 10, "searchable_per_s": 10, "drain_s_after_last_send": 1, "probes": 1,
                 "latency_s": dict.fromkeys(("p50", "p95", "p99", "max"), 1.0), "cpu_cores_used": {}}
    _print_e2e({"sustained": sustained, "limits": limits,
                "catch_up": {"mentions": 1000, "ours_per_s": None, "peer_per_s": 900}})
    out = " ".join(capsys.readouterr().out.split())
    assert "not measured" in out and "ratio ours/peer -" in out
