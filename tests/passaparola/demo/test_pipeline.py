"""The demo pipeline end to end: generated stream -> Kafka -> Faust worker -> sink worker -> Elasticsearch."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from passaparola.config import Settings
from passaparola.demo.generator import generate
from passaparola.demo.pipeline import run_pipeline
from passaparola.demo.summary import summarize
from passaparola.elastic import connect
from passaparola.topics import ensure_topics
from sinks.elasticsearch import alias

pytestmark = pytest.mark.integration
ANCHOR = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)


def test_every_mention_becomes_searchable_once(settings: Settings, worker_env: dict):
    ensure_topics(settings)
    mentions = generate(seed=3, anchor=ANCHOR, scale=0.15)
    run = run_pipeline(settings, mentions, worker_env=worker_env, timeout_s=180)
    assert run.produced == run.indexed == len(mentions)
    assert run.refused == {settings.topics.mentions_dlq: 0, settings.topics.sink_dlq: 0}

    summary = summarize(connect(settings), alias(settings.elasticsearch.index_prefix))
    assert summary.documents == len(mentions)
    assert summary.by_platform == dict(Counter(m.platform for m in mentions))
    assert summary.by_brand == dict(Counter(m.brand or "(none)" for m in mentions))
    assert summary.brand_replies == sum(1 for m in mentions if m.author_is_brand and m.parent_id)

    # Again, a month later: the same documents, rewritten with the new times, none added,
    # though most now belong to another month's index.
    later = generate(seed=3, anchor=ANCHOR + timedelta(days=31), scale=0.15)
    again = run_pipeline(settings, later, worker_env=worker_env, timeout_s=180)
    assert again.indexed == len(later) == len(mentions)
    es = connect(settings)
    index = alias(settings.elasticsearch.index_prefix)
    assert es.count(index=index)["count"] == len(mentions)
    newest = es.search(index=index, size=1, sort=[{"published_at": "desc"}])["hits"]["hits"][0]["_source"]
    assert newest["published_at"] == max(m.published_at for m in later).isoformat().replace("+00:00", "Z")


def test_the_demo_command_runs_and_says_where_to_look(settings: Settings, worker_env: dict):
    done = subprocess.run(
        [sys.executable, "-m", "passaparola", "demo", "--no-local-stack", "--scale", "0.1", "--anchor", "2026-06-01T12:00:00"],
        env=worker_env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    expected = len(generate(anchor=ANCHOR, scale=0.1))
    assert f"{expected} of {expected} mentions searchable" in done.stdout
    assert f"{settings.elasticsearch.index_prefix}-mentions" in done.stdout
    assert "curl -s" in done.stdout
