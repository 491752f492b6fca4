"""``passaparola enrich``: JSONL in, JSONL out, the streams' enrichment without Kafka."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TransferSpeedColumn

from passaparola.cli.common import settings

stderr = Console(stderr=True)


class BadLine(ValueError):
    """A line that cannot be enriched; the text says why."""


def _get(record: dict, *path: str) -> Any:
    for key in path:
        record = record.get(key) if isinstance(record, dict) else None
    return record


def _string(record: dict, *path: str) -> str | None:
    """The string at ``path``, or None when absent; any other type is a bad line."""
    value = _get(record, *path)
    if value is not None and not isinstance(value, str):
        raise BadLine(f"{'.'.join(path)} is not a string (a {type(value).__name__})")
    return value


def _published(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(f"published_at is not an ISO date: {value!r}") from None


def enrichment_arguments(record: Any, line_number: int) -> dict[str, Any]:
    """Arguments of :meth:`Enricher.fields` from a line: a full mention or just ``{"id", "text"}``."""
    if not isinstance(record, dict):
        raise BadLine(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise BadLine("no \"text\" string")
    return {
        "id": str(record.get("id") or f"line-{line_number}"),
        "text": text,
        "title": _string(record, "title"),
        "language_hint": _string(record, "language"),
        "author_handle": _string(record, "author", "handle"),
        "author_name": _string(record, "author", "name"),
        "url": _string(record, "url"),
        "platform": _string(record, "platform"),
        "published_at": _published(_get(record, "published_at")),
        "brand_hint": _string(record, "brand"),
        "author_is_brand": bool(_get(record, "author_is_brand")),
    }


def enriched_line(enricher: Any, raw: bytes, line_number: int) -> str:
    """The output line for one input line; :class:`BadLine` for anything that stops it."""
    try:
        record = json.loads(raw)
        found = enricher.fields(**enrichment_arguments(record, line_number))
        line = json.dumps({**record, **found.as_dict()}, ensure_ascii=False)
        line.encode("utf-8")  # a lone surrogate (\ud800) parses, but cannot be written
    except RecursionError:
        raise BadLine("nested too deeply") from None
    except UnicodeEncodeError:
        raise BadLine("not valid Unicode: it holds a lone surrogate") from None
    except (ValueError, TypeError) as err:  # ValueError covers JSONDecodeError and UnicodeDecodeError
        raise BadLine(str(err)) from None
    return line + "\n"


def _lines(source: IO[bytes], progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    task = progress.add_task("enriching", total=_size(source)) if progress else None
    for number, line in enumerate(source, start=1):
        if progress is not None:
            progress.advance(task, len(line))
        yield number, line


def _size(source: IO[bytes]) -> int | None:
    try:
        return Path(source.name).stat().st_size
    except (OSError, TypeError, AttributeError):
        return None


def enrich(
    input_file: Path | None = typer.Option(None, "--in", help="JSONL to read (default: stdin)"),
    output_file: Path | None = typer.Option(None, "--out", help="JSONL to write (default: stdout)"),
) -> None:
    """Enrich JSONL offline: each output line is the input object plus language, sentiment,
    intent, topics, keywords, brands, promo and duplicate_of.

    Input lines may be minimal, {"id": ..., "text": ...}, or whole mentions. A bad line is
    reported on stderr with its number and skipped; the exit status is then 1.
    """
    from streams.enrichment.enricher import Enricher

    enricher = Enricher.from_settings(settings())
    try:
        source = open(input_file, "rb") if input_file else sys.stdin.buffer
        sink = open(output_file, "w", encoding="utf-8") if output_file else sys.stdout
    except OSError as err:
        stderr.print(f"error: {err.filename}: {err.strerror}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    good = bad = 0
    show_progress = input_file is not None and stderr.is_terminal
    columns = (TextColumn("{task.description}"), BarColumn(), TransferSpeedColumn())
    with Progress(*columns, console=stderr, transient=True, disable=not show_progress) as progress:
        for number, raw in _lines(source, progress if show_progress else None):
            if not raw.strip():
                continue
            try:
                line = enriched_line(enricher, raw, number)
            except BadLine as err:
                stderr.print(f"line {number}: {err}", markup=False, highlight=False, soft_wrap=True)
                bad += 1
                continue
            sink.write(line)
            good += 1
    if output_file:
        sink.close()
    if input_file:
        source.close()
    stderr.print(f"enriched {good} line(s), skipped {bad} bad line(s)", highlight=False)
    if bad:
        raise typer.Exit(1)
