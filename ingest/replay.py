"""Backfill: mentions from a JSONL file (one Mention per line) into ``mentions.raw``.

Each line must be a mention in the schema (as ``ingest feed --dry-run`` or an export writes
them); a line that is not goes to ``ingest.errors`` with its line number, and the rest flows.

A killed replay resumes where it stopped. Every ``CHECKPOINT_EVERY`` lines it waits until
Kafka acknowledged everything sent, then saves its position (line and byte offset) and a
fingerprint of the file's head in ``ingest.state`` under ``replay:<absolute path>``. A rerun
seeks to that offset: at most one chunk is sent twice, harmless with deterministic ids. A
finished replay deletes its cursor, so the next run backfills the whole file; a file with
other content, or shorter than the saved offset, starts from line 1.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.schema import Mention, SchemaError
from ingest.errors import ErrorSink
from ingest.producer import MentionProducer, MentionTooLarge
from ingest.state import CursorStore

log = logging.getLogger(__name__)

# Lines between two checkpoints: what a killed replay may send twice. Each checkpoint costs
# a flush and one synchronous write to ingest.state (a few ms), so 100k lines make 20.
CHECKPOINT_EVERY = 5_000
# Enough of the head to tell two exports apart without reading a large file twice.
_FINGERPRINT_BYTES = 4096


@dataclass
class ReplayResult:
    produced: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class Position:
    """How far into a file: ``line`` lines done, ending at byte ``offset``."""

    line: int = 0
    offset: int = 0


class NumberedLines:
    """The lines of ``handle`` from ``start``, numbered from 1 in the whole file.

    ``position`` is always just after the last line handed out, so a checkpoint taken
    between two lines names exactly what was read.
    """

    def __init__(self, handle: BinaryIO, start: Position = Position()):
        handle.seek(start.offset)
        self.handle, self.position = handle, start

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        for line in self.handle:
            self.position = Position(self.position.line + 1, self.position.offset + len(line))
            yield self.position.line, line


def fingerprint(path: Path) -> str:
    """A hash of the file's head: tells a rewritten file from the one a checkpoint was saved for."""
    with path.open("rb") as handle:
        return hashlib.blake2b(handle.read(_FINGERPRINT_BYTES), digest_size=16).hexdigest()


class ReplayCheckpoint:
    """One file's replay cursor in the cursor store (``ingest.state``)."""

    def __init__(self, store: CursorStore, path: Path):
        self.store, self.path = store, path.resolve()
        self.key = f"replay:{self.path}"
        self.fingerprint = fingerprint(self.path)

    def resume_at(self) -> Position:
        """Where a previous, unfinished replay of this file got to; line 1 if none or if the file changed."""
        saved = self.store.get(self.key)
        if not saved:
            return Position()
        if saved.get("fingerprint") != self.fingerprint or saved.get("offset", 0) > self.path.stat().st_size:
            log.warning("replay checkpoint of another content ignored, starting from line 1", extra={"file": str(self.path)})
            return Position()
        return Position(int(saved["line"]), int(saved["offset"]))

    def save(self, position: Position) -> None:
        self.store.save(self.key, {"line": position.line, "offset": position.offset, "fingerprint": self.fingerprint})

    def clear(self) -> None:
        self.store.reset(self.key)


def replay_lines(lines: Iterable[tuple[int, bytes]], producer: MentionProducer, errors: ErrorSink, source: str,
                 on_rejected: Callable[[int, str], None] = lambda number, reason: None,
                 on_flushed: Callable[[], None] = lambda: None, every: int = CHECKPOINT_EVERY) -> ReplayResult:
    """Produce every valid line and record the others.

    Every ``every`` lines, and at the end, wait until Kafka acknowledged all of it (raises
    :class:`~ingest.producer.ProduceError` if it did not); after each such flush but the
    last, call ``on_flushed``: the moment a checkpoint may say these lines are done.
    """
    result = ReplayResult()
    for count, (number, line) in enumerate(lines, start=1):
        _replay_line(number, line, producer, errors, source, on_rejected, result)
        if count % every == 0:
            _flush(producer, errors)
            on_flushed()
    _flush(producer, errors)
    return result


def _replay_line(number: int, line: bytes, producer: MentionProducer, errors: ErrorSink, source: str,
                 on_rejected: Callable[[int, str], None], result: ReplayResult) -> None:
    if not line.strip():
        return
    try:
        mention = Mention.from_json(line)
        producer.send(mention)
    except (SchemaError, MentionTooLarge) as err:
        reason = f"line {number}: {err}"
        errors.record(source, "replay", reason, line)
        on_rejected(number, reason)
        result.rejected += 1
        return
    result.produced += 1


def _flush(producer: MentionProducer, errors: ErrorSink) -> None:
    # Both before a checkpoint: it must not skip a rejected line whose record never reached Kafka.
    errors.flush()
    producer.flush()
