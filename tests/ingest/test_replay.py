"""``ingest replay`` resumes an interrupted backfill after its last checkpoint instead of from line 1.

The numbering is pure; the checkpoint lives in the real ``ingest.state`` topic and the
mentions go to the real Kafka of the test stack.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from core.schema import Author, Mention
from core.topics import ensure_topics, read_to_end
from ingest.errors import ErrorSink
from ingest.producer import MentionProducer
from ingest.replay import NumberedLines, Position, ReplayCheckpoint, replay_lines
from ingest.state import CursorStore

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)


def _mentions(n: int) -> list[Mention]:
    return [Mention(platform="x", native_id=str(i), source="archive", author=Author(id="a"), text=f"post {i}",
                    published_at=T0) for i in range(n)]


def _jsonl(path: Path, mentions: list[Mention]) -> Path:
    path.write_bytes(b"".join(m.to_json() + b"\n" for m in mentions))
    return path


def _saved_position(settings, path: Path) -> Position:
    """What a freshly started replay would read from ingest.state."""
    store = CursorStore(settings)
    try:
        return ReplayCheckpoint(store, path).resume_at()
    finally:
        store.close()


def _ids_on_raw(settings) -> Counter:
    return Counter(Mention.from_json(v).id
                   for _, v in read_to_end(settings.kafka.bootstrap_servers, settings.topics.mentions_raw))


def test_numbered_lines_go_on_from_a_position_with_the_file_numbering():
    data = b"one\n\ntwo\nthree"
    after_first = Position(1, 4)
    lines = NumberedLines(io.BytesIO(data), after_first)
    assert list(lines) == [(2, b"\n"), (3, b"two\n"), (4, b"three")]
    assert lines.position == Position(4, len(data))


class Interrupted(Exception):
    """The process died here (a test cannot SIGKILL itself; the fault suite does)."""


def _dies_after(lines: NumberedLines, last: int):
    for number, line in lines:
        if number > last:
            raise Interrupted
        yield number, line


@pytest.mark.integration
def test_an_interrupted_replay_resumes_after_its_last_checkpoint(settings, tmp_path):
    ensure_topics(settings)
    mentions = _mentions(95)
    path = _jsonl(tmp_path / "backfill.jsonl", mentions)
    store = CursorStore(settings)
    producer, errors = MentionProducer(settings, worker="ingest-replay"), ErrorSink(settings)
    try:
        checkpoint = ReplayCheckpoint(store, path)
        with path.open("rb") as handle:
            lines = NumberedLines(handle)
            with pytest.raises(Interrupted):
                replay_lines(_dies_after(lines, 47), producer, errors, "replay:test",
                             on_flushed=lambda: checkpoint.save(lines.position), every=20)
        producer.flush()  # what was sent after the checkpoint reached Kafka: the worst case

        start = _saved_position(settings, path)  # a new process knows only what ingest.state says
        assert start == Position(40, sum(len(m.to_json()) + 1 for m in mentions[:40]))
        with path.open("rb") as handle:
            result = replay_lines(NumberedLines(handle, start), producer, errors, "replay:test", every=20)
        assert result.produced == 55
    finally:
        producer.close()
        errors.close()
        store.close()
    on_topic = _ids_on_raw(settings)
    assert set(on_topic) == {m.id for m in mentions}
    # Lines 41-47 were sent before the interruption and again after it; nothing before line 41 was.
    assert sorted(id_ for id_, n in on_topic.items() if n > 1) == sorted(m.id for m in mentions[40:47])


@pytest.mark.integration
def test_a_checkpoint_of_other_content_is_not_trusted(settings, tmp_path):
    ensure_topics(settings)
    path = _jsonl(tmp_path / "export.jsonl", _mentions(30))
    store = CursorStore(settings)
    try:
        ReplayCheckpoint(store, path).save(Position(20, 1000))
        assert ReplayCheckpoint(store, path).resume_at() == Position(20, 1000)
        _jsonl(path, _mentions(5))  # the same name, another (shorter) export
        assert ReplayCheckpoint(store, path).resume_at() == Position()
        _jsonl(path, list(reversed(_mentions(30))))  # as long, other first lines
        assert ReplayCheckpoint(store, path).resume_at() == Position()
    finally:
        store.close()


def _replay_cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "passaparola", "ingest", "replay", *args], capture_output=True, text=True,
                          env={**env, "PASSAPAROLA_LOG_JSON": "false"}, timeout=120)


@pytest.mark.integration
def test_the_command_resumes_then_forgets_the_checkpoint_once_finished(settings, worker_env, tmp_path):
    ensure_topics(settings)
    mentions = _mentions(30)
    path = _jsonl(tmp_path / "backfill.jsonl", mentions)
    store = CursorStore(settings)
    ReplayCheckpoint(store, path).save(Position(20, sum(len(m.to_json()) + 1 for m in mentions[:20])))
    store.close()

    done = _replay_cli([str(path)], worker_env)
    assert done.returncode == 0, done.stderr
    assert "resuming backfill.jsonl after line 20" in done.stderr and "produced 10 mentions" in done.stdout
    assert set(_ids_on_raw(settings)) == {m.id for m in mentions[20:]}
    assert _saved_position(settings, path) == Position()  # finished: forgotten

    again = _replay_cli([str(path)], worker_env)  # a new backfill of the whole file, as before
    assert again.returncode == 0 and "resuming" not in again.stderr and "produced 30 mentions" in again.stdout


@pytest.mark.integration
def test_from_start_ignores_the_checkpoint(settings, worker_env, tmp_path):
    ensure_topics(settings)
    path = _jsonl(tmp_path / "backfill.jsonl", _mentions(12))
    store = CursorStore(settings)
    ReplayCheckpoint(store, path).save(Position(10, 10))
    store.close()
    done = _replay_cli([str(path), "--from-start"], worker_env)
    assert done.returncode == 0, done.stderr
    assert "resuming" not in done.stderr and "produced 12 mentions" in done.stdout


@pytest.mark.integration
def test_an_oversize_mention_is_an_ingest_error_and_the_next_line_is_sent(settings, worker_env, tmp_path):
    """A valid mention of 1.1 MB: a traceback once, and the line after it never sent."""
    ensure_topics(settings)
    small = _mentions(2)
    big = Mention(platform="x", native_id="big", source="archive", author=Author(id="a"), text="b" * 1_100_000,
                  published_at=T0)
    path = tmp_path / "backfill.jsonl"
    path.write_bytes(small[0].to_json() + b"\n" + big.to_json() + b"\n" + small[1].to_json() + b"\n")
    done = _replay_cli([str(path)], worker_env)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert set(_ids_on_raw(settings)) == {m.id for m in small}
    [error] = [v for _, v in read_to_end(settings.kafka.bootstrap_servers, settings.topics.ingest_errors)]
    assert b"line 2: mention of 1,100," in error and b"bytes, more than kafka.max_message_bytes (900,000)" in error
