"""Backfill: mentions from a JSONL file (one Mention per line) into ``mentions.raw``.

Each line must be a mention in the schema (as ``ingest feed --dry-run`` or an export
writes them). A line that is not (bad JSON, missing fields, a newer schema) goes to
``ingest.errors`` with its line number and the rest still flows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ingest.errors import ErrorSink
from ingest.producer import MentionProducer
from passaparola.schema import Mention, SchemaError


@dataclass
class ReplayResult:
    produced: int = 0
    rejected: int = 0


def replay_lines(lines: Iterable[tuple[int, bytes]], producer: MentionProducer, errors: ErrorSink, source: str,
                 on_rejected: Callable[[int, str], None] = lambda number, reason: None) -> ReplayResult:
    """Produce every valid line; record the others; flush at the end (raises if Kafka refused any)."""
    result = ReplayResult()
    for number, line in lines:
        if not line.strip():
            continue
        try:
            mention = Mention.from_json(line)
        except SchemaError as err:
            reason = f"line {number}: {err}"
            errors.record(source, "replay", reason, line)
            on_rejected(number, reason)
            result.rejected += 1
            continue
        producer.send(mention)
        result.produced += 1
    producer.flush()
    errors.flush()
    return result
