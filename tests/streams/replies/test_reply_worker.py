"""The reply tracker inside the real streams worker: the demo stream in, brand replies out,
and a worker killed mid-stream that recovers its thread states from the changelog."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from core import kafka_clients
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from ingest.producer import MentionProducer
from passaparola.demo.generator import DEMO_BRANDS, generate_with_truth
from streams.app import app_id
from tests.support.kafka import lag, read_records, wait_quiet
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration


def _env(worker_env: dict, tick_s: float) -> dict:
    """The worker's environment: the demo's brands, and SLA ticks every ``tick_s``."""
    return {**worker_env, "PASSAPAROLA_BRANDS": json.dumps([b.model_dump() for b in DEMO_BRANDS]),
            "PASSAPAROLA_REPLIES__TICK_S": str(tick_s)}


def _send(settings: Settings, mentions) -> None:
    with MentionProducer(settings) as producer:
        for m in mentions:
            producer.send(m)


def _start(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "passaparola", "streams", "worker"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def _wait_committed(settings: Settings, worker: subprocess.Popen, timeout_s: float = 120) -> None:
    group = app_id(settings)

    def committed() -> bool:
        assert worker.poll() is None, "the streams worker died"
        # None while the group does not exist yet.
        return (lag(settings, group, settings.topics.mentions_enriched) == 0
                and lag(settings, group, settings.topics.mentions_raw) == 0)

    wait_until(committed, timeout_s, "the worker committed everything", every_s=1)


def _latest_events(settings: Settings) -> dict[str, dict]:
    latest = {}
    for _key, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.replies):
        event = json.loads(value)  # per thread key, in order: the last event of an item wins, as in Elasticsearch
        latest[event["id"]] = event
    return latest


def test_killed_worker_recovers_thread_states_and_pairs_every_demo_reply(settings, worker_env, tmp_path):
    ensure_topics(settings)
    mentions, truth = generate_with_truth(seed=21, scale=0.3)
    by_id = {m.id: m for m in mentions}
    half = len(mentions) // 2
    first, second = mentions[:half], mentions[half:]
    first_ids = {m.id for m in first}
    spanning = [u for u, r in truth.answered.items() if u in first_ids and r not in first_ids]
    assert len(spanning) >= 3, "the split must leave replies whose message came before the kill"

    env = _env(worker_env, 1)
    log = (tmp_path / "streams.log").open("wb")
    _send(settings, first)
    worker = _start(env, log)
    try:
        _wait_committed(settings, worker)
        worker.send_signal(signal.SIGKILL)  # no goodbye: state only survives in the changelog
        worker.wait(30)
        _send(settings, second)
        worker = _start(env, log)
        _wait_committed(settings, worker)
        wait_quiet(settings.kafka, settings.topics.replies, quiet_s=3)  # the agent's last sends land
    finally:
        worker.terminate()
        worker.wait(30)
    events = _latest_events(settings)
    enriched = _ids(settings, settings.topics.mentions_enriched)
    replied = {e["mention_id"]: (e["reply_id"], e["response_seconds"]) for e in events.values() if e["kind"] == "brand_reply"}
    # The tracker's part: every pair whose two messages reached it is paired, exactly, also
    # across the kill (its thread state came back from the changelog).
    expected = {u: (r, (by_id[r].published_at - by_id[u].published_at).total_seconds())
                for u, r in truth.answered.items() if u in enriched and r in enriched}
    assert len([u for u in spanning if u in expected]) >= 3
    missing = set(expected) - set(replied)
    assert not missing, (f"{[events.get(u, {}).get('kind') for u in missing]}: "
                         f"{len(missing)} of {len(expected)} replies not paired "
                         f"({len([u for u in missing if u in spanning])} across the kill); see {tmp_path / 'streams.log'}")
    assert {u: replied[u] for u in expected} == expected
    # Items nobody answered came due (the demo's stream is older than its SLAs) and said so.
    assert any(e["kind"] == "unanswered" for e in events.values())
    # The timer found them through the due index: every item still open (answered ones are
    # closed; unanswered ones wait for a late reply) has its thread's next due moment there.
    due = _latest(settings, f"{app_id(settings)}-reply-due-changelog")
    waiting = {e["thread_id"] for e in events.values() if e["kind"] in ("pending", "unanswered")}
    assert waiting and all(due.get(thread) for thread in waiting), (
        f"{len([t for t in waiting if not due.get(t)])} of {len(waiting)} waiting threads without a due entry")
    # The worker's part: every mention enriched at least once, also the first new message of
    # each partition after the restart (faust-streaming's flow resume drops it now and then
    # without streams/faust_patches/flow_control.py).
    lost = {m.id for m in mentions} - enriched
    assert not lost, f"{len(lost)} mention(s) of mentions.raw never enriched after the restart; see {tmp_path / 'streams.log'}"


def _ids(settings, topic: str) -> set[str]:
    return {json.loads(value)["id"] for _key, value in read_to_end(settings.kafka.bootstrap_servers, topic)}


def test_threads_kept_before_the_due_index_get_an_entry_after_recovery(settings, worker_env, tmp_path):
    """The one-off scan for thread states without a due entry (kept by a version before the
    due index) must look at the recovered table, not at the empty one a starting worker has
    before its changelog is read back, whatever the tick."""
    ensure_topics(settings)
    mentions, _ = generate_with_truth(seed=5, scale=0.1)
    env = _env(worker_env, 0.2)
    log = (tmp_path / "streams.log").open("wb")
    _send(settings, mentions)
    worker = _start(env, log)
    try:
        _wait_committed(settings, worker)
        # The last changelog writes land.
        wait_quiet(settings.kafka, f"{app_id(settings)}-reply-threads-changelog", f"{app_id(settings)}-reply-due-changelog")
    finally:
        worker.terminate()
        worker.wait(30)
    due_topic = f"{app_id(settings)}-reply-due-changelog"
    waiting = _waiting_threads(settings)
    assert len(waiting) >= 10, "the stream must leave threads waiting for a reply"
    # Forget every due entry, as if an older version had kept these threads without them.
    _tombstone_every_key(settings, due_topic)
    assert not {k for k, v in _latest(settings, due_topic).items() if v is not None}

    worker = _start(env, log)
    missing: set[str] = set()

    def every_waiting_thread_due() -> bool:
        assert worker.poll() is None, "the streams worker died"
        # Read again each time: a tick may also age an item out, and that thread waits no more.
        waiting = _waiting_threads(settings)
        missing.clear()
        missing.update(waiting - {k for k, v in _latest(settings, due_topic).items() if v is not None})
        return not missing

    try:
        wait_until(every_waiting_thread_due, 90, "a due entry for every waiting thread", every_s=2,
                   detail=lambda: f"{len(missing)} waiting threads still without one; see {tmp_path / 'streams.log'}")
    finally:
        worker.terminate()
        worker.wait(30)


def _waiting_threads(settings) -> set[str]:
    """Threads whose kept state has a message waiting for the brand (or a brand post early)."""
    states = _latest(settings, f"{app_id(settings)}-reply-threads-changelog")
    return {key for key, state in states.items() if state and (state["open"] or state["early"])}


def _latest(settings, topic: str) -> dict[str, dict | str | None]:
    return {key.decode(): (json.loads(value) if value is not None else None)
            for key, value in read_to_end(settings.kafka.bootstrap_servers, topic)}


def _tombstone_every_key(settings, topic: str) -> None:
    where = {r.key: r.partition for r in read_records(settings.kafka, topic)}
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for key, partition in where.items():
            producer.send(topic, key=key, value=None, partition=partition)
        producer.flush(timeout=30)
