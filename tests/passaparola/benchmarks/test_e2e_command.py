"""``passaparola bench e2e`` at a tiny size against the session's real Kafka and
Elasticsearch: it runs every part, writes coherent figures, and leaves nothing behind.
The figures of a run this small say nothing about speed; the command's shape is tested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from core import kafka_clients
from core.settings import Settings
from passaparola.benchmarks.e2e import PROBE_EVERY
from passaparola.benchmarks.runs import PEER_PYTHON, WARMUP

RATE, DURATION = 100, 5
# Enough for the sink's bulks (up to 1,000 documents each) to show the catch-up in steps: a
# race of 1,000 could be searchable all at once, and then has no rate to measure.
RACE = 5000


def _bench_topics(settings: Settings) -> set[str]:
    with kafka_clients.admin(settings.kafka) as admin:
        return {t for t in admin.list_topics() if t.startswith(("bench-e2e-", "bench-race-", "bench-limits-"))}


@pytest.mark.integration
@pytest.mark.skipif(not PEER_PYTHON.exists(), reason=f"no {PEER_PYTHON} for the peer: make test (or make bench) creates it")
def test_bench_e2e_measures_every_part_and_cleans_up(local_stack, base_settings: Settings, tmp_path):
    before = _bench_topics(base_settings)
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, "-m", "passaparola", "bench", "e2e", "--rate", str(RATE), "--duration", str(DURATION),
         "--race", str(RACE), "--limits", "1000", "--streams-workers", "2", "--out", str(out)],
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
    assert race["mentions"] == RACE and race["ours_per_s"] > 0 and race["ours_all_agents_per_s"] > 0
    # The peer ran on the same backlog, from its own venv, and indexed all of it.
    assert race["peer_per_s"] > 0 and race["peer_own_figures"]["documents"] == RACE
    assert "ratio ours/peer" in " ".join(run.stdout.split())
    assert all(figures["limits"][k] > 0 for k in ("kafka_produce_per_s", "kafka_consume_per_s", "enrich_per_s", "es_bulk_per_s"))
    assert "searchable" in run.stdout and "catch-up throughput against the limits" in run.stdout
    assert _bench_topics(base_settings) == before, "the run left its topics behind"


@pytest.mark.integration
def test_the_race_starts_at_the_earliest_record_of_any_partition(settings: Settings):
    from core.topics import ensure_topics
    from passaparola.benchmarks.runs import _first_record_at

    ensure_topics(settings)
    topic = settings.topics.mentions_enriched
    assert _first_record_at(settings, topic) is None  # nothing handled yet: no start
    base_ms = int(time.time() * 1000) - 60_000  # the broker refuses timestamps far from its clock
    # The earliest record is not first on partition 0, nor the first one sent.
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for partition, offset_ms in ((0, 5_000), (1, 1_500), (2, 3_000), (1, 9_000)):
            producer.send(topic, value=b"{}", partition=partition, timestamp_ms=base_ms + offset_ms).get(timeout=30)
    assert _first_record_at(settings, topic) == (base_ms + 1_500) / 1000


@pytest.mark.integration
def test_all_searchable_is_seen_without_waiting_for_the_refresh_interval(settings: Settings):
    from core.elastic import connect
    from passaparola.benchmarks.e2e import wait_searchable

    es, index = connect(settings), f"{settings.elasticsearch.index_prefix}-steady"
    es.indices.create(index=index, settings={"refresh_interval": "-1"})  # never by itself
    for n in range(3):
        es.index(index=index, id=str(n), document={"n": n})
    before = time.time()
    assert before <= wait_searchable(settings, 3, lambda: None, 20, index=index, refresh=True) <= time.time()
    # A writer that has stopped short is reported at once, not after the timeout.
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="not all 4"):
        wait_searchable(settings, 4, lambda: None, 60, index=index, refresh=True, alive=lambda: False)
    assert time.monotonic() - started < 30


def test_a_missing_peer_venv_is_said_not_faked(base_settings: Settings, tmp_path):
    from passaparola.benchmarks.runs import _race_peer

    said = []
    assert (_race_peer(base_settings, 10, str(tmp_path / "no-python"), said.append)
            == {"peer": f"not run: no {tmp_path / 'no-python'}"})
    assert "make bench" in said[0]


def test_a_rate_needs_a_start_before_the_end():
    from passaparola.benchmarks.runs import _rate

    assert _rate(1000, 100.0, 102.0) == 500
    assert _rate(1000, None, 102.0) is None
    assert _rate(1000, 102.0, 102.0) is None


def test_the_summary_says_what_was_not_measured(capsys):
    from passaparola.cli.bench import _print_e2e

    limits = dict.fromkeys(("kafka_produce_per_s", "kafka_consume_per_s", "enrich_per_s", "es_bulk_per_s"), 1000)
    sustained = {"offered_per_s": 10, "searchable_per_s": 10, "drain_s_after_last_send": 1, "probes": 1,
                 "latency_s": dict.fromkeys(("p50", "p95", "p99", "max"), 1.0), "cpu_cores_used": {}}
    _print_e2e({"sustained": sustained, "limits": limits,
                "catch_up": {"mentions": 1000, "ours_per_s": None, "peer_per_s": 900}})
    out = " ".join(capsys.readouterr().out.split())
    assert "not measured" in out and "ratio ours/peer -" in out
