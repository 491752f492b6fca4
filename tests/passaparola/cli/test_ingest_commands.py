"""``passaparola ingest replay`` and ``ingest once`` as a user runs them, against the real Kafka."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from core.schema import Author, Mention
from tests.support.kafka import read_records

pytestmark = pytest.mark.integration


def _cli(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "passaparola", "ingest", *args], capture_output=True, text=True,
                          env={**env, "PASSAPAROLA_LOG_JSON": "false"}, timeout=timeout)


def test_replay_backfills_valid_lines_and_records_the_bad_ones(settings, worker_env, tmp_path):
    good = [Mention(platform="x", native_id=str(i), source="archive", author=Author(id="a"), text=f"post {i}",
                    published_at=datetime(2026, 10, 1, tzinfo=timezone.utc)) for i in range(50)]
    lines = [m.model_dump_json() for m in good[:25]] + ["{broken", json.dumps({"platform": "x"})] + \
        [m.model_dump_json() for m in good[25:]]
    path = tmp_path / "backfill.jsonl"
    path.write_text("\n".join(lines) + "\n")
    done = _cli(["replay", str(path)], worker_env)
    assert done.returncode == 1, done.stderr  # the good lines are in; the status says some were not
    assert "produced 50 mentions" in done.stdout and "2 rejected lines" in done.stdout
    assert "rejected line 26:" in done.stderr and "rejected line 27:" in done.stderr
    assert sorted(Mention.from_json(m.value).id for m in read_records(settings.kafka, settings.topics.mentions_raw)) == \
        sorted(m.id for m in good)
    errors = [json.loads(m.value) for m in read_records(settings.kafka, settings.topics.ingest_errors)]
    assert [e["reason"].split(":")[0] for e in errors] == ["line 26", "line 27"]
    assert errors[0]["sample"] == "{broken\n"


def test_once_names_an_unknown_source_without_a_traceback(worker_env):
    done = _cli(["once", "nope"], worker_env)
    assert done.returncode == 2
    assert "no source named 'nope'" in done.stderr and "Traceback" not in done.stderr
