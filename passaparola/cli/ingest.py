"""``passaparola ingest ...``: sources into Kafka (mentions.raw), one-offs and backfills."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn

from core.metrics import Heartbeat, serve
from core.topics import ensure_topics
from passaparola.cli.common import console, errors, settings

log = logging.getLogger(__name__)

app = typer.Typer(help="Pull sources into Kafka (mentions.raw).", no_args_is_help=True)


def _runner(cfg):
    from ingest.runner import IngestRunner

    ensure_topics(cfg)
    return IngestRunner(cfg)


@app.command("run")
def ingest_run(source: list[str] = typer.Option(None, "--source", help="run only these sources (repeatable)")) -> None:
    """Run the configured sources on their schedules until stopped (SIGTERM/SIGINT)."""
    cfg = settings(worker=True)
    unknown = set(source or ()) - {s.name for s in cfg.sources}
    if unknown:
        errors.print(f"unknown source(s): {', '.join(sorted(unknown))}")
        raise typer.Exit(2)
    heart = Heartbeat()
    serve(cfg.metrics_port, healthy=lambda: heart.fresh(cfg.health_stall_s), host=cfg.metrics_host)
    # No sources: wait to be stopped, saying why, rather than exit into a supervisor's restart loop.
    runner = _runner(cfg) if cfg.sources else None
    if runner is None:
        log.warning("no sources configured: waiting; add [[sources]] to the TOML file (see passaparola.example.toml)")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        pulse = asyncio.create_task(heart.beat())
        try:
            await (runner.run_forever(stop, only=source or None) if runner else stop.wait())
        finally:
            pulse.cancel()

    try:
        asyncio.run(main())
    finally:
        if runner is not None:
            runner.close()


@app.command("once")
def ingest_once(name: str = typer.Argument(..., help="a configured source's name")) -> None:
    """Run one source once, from its saved cursor, and print what it did."""
    cfg = settings()
    runner = _runner(cfg)
    try:
        try:
            source = runner.source(name)
        except KeyError as err:
            errors.print(str(err.args[0]))
            raise typer.Exit(2) from None
        result = asyncio.run(runner.run_source(source))
    finally:
        runner.close()
    console.print(f"{name}: {result.mentions} mentions to {cfg.topics.mentions_raw}, {result.problems} problems to "
                  f"{cfg.topics.ingest_errors}, {result.checkpoints} checkpoints, {result.seconds:.1f} s"
                  + (f"; {result.resent_skipped} already sent by an interrupted run, not sent again"
                     if result.resent_skipped else ""),
                  soft_wrap=True)
    if result.failure:
        errors.print(f"{name}: {result.failure}", markup=False)
        raise typer.Exit(1)


@app.command("feed")
def ingest_feed(
    location: str = typer.Argument(..., metavar="PATH_OR_URL", help="a feed file or URL"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print mentions as JSONL instead of producing them"),
    name: str = typer.Option("feed-cli", help="source name the mentions carry"),
    brand: str | None = typer.Option(None, help="brand the mentions are for"),
) -> None:
    """Read one feed: print its mentions as JSONL (--dry-run) or produce them to mentions.raw.

    Exit 0 with the mentions; exit 1 with a one-line error on stderr when the feed gives none.
    Problems with a feed that still gave mentions are warned about on stderr.
    """
    from ingest.feed_once import read_feed

    cfg = settings()
    mentions, problems, failure = read_feed(cfg, location, name, brand)
    if failure or not mentions:
        reason = failure or (problems[0].reason if problems else "no entries")
        more = f" (+{len(problems) - 1} more problems)" if not failure and len(problems) > 1 else ""
        errors.print(f"error: {location}: {reason}{more}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    for problem in problems:
        errors.print(f"warning: {location}: {problem.reason}", markup=False, soft_wrap=True)
    if dry_run:
        for mention in mentions:
            sys.stdout.write(mention.model_dump_json() + "\n")
        return
    from ingest.producer import MentionProducer

    ensure_topics(cfg)
    with MentionProducer(cfg) as producer:
        for mention in mentions:
            producer.send(mention)
    console.print(f"produced {len(mentions)} mentions to {cfg.topics.mentions_raw}")


@app.command("replay")
def ingest_replay(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL, one mention per line"),
    from_start: bool = typer.Option(False, "--from-start", help="ignore where an interrupted replay of FILE stopped"),
    checkpoint_every: int | None = typer.Option(None, min=1, help="lines between checkpoints, what a kill may send "
                                                "twice (default 5000)"),
) -> None:
    """Backfill mentions from a JSONL file into mentions.raw, with a progress bar.

    An interrupted replay of the same file resumes after its last checkpoint. A line that is
    not a mention, or is larger than kafka.max_message_bytes, goes to ingest.errors and the
    rest flows; the exit status is then 1.
    """
    from ingest.errors import ErrorSink
    from ingest.producer import MentionProducer
    from ingest.replay import CHECKPOINT_EVERY, NumberedLines, Position, ReplayCheckpoint, replay_lines
    from ingest.state import CursorStore

    cfg = settings()
    ensure_topics(cfg)
    store = CursorStore(cfg)
    checkpoint = ReplayCheckpoint(store, file)
    start = Position() if from_start else checkpoint.resume_at()
    if start.line:
        errors.print(f"resuming {file.name} after line {start.line}, where the last replay stopped (--from-start "
                     "replays it all)", markup=False, soft_wrap=True)
    with MentionProducer(cfg, worker="ingest-replay") as producer, file.open("rb") as handle, Progress(
        TextColumn("replaying"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), console=errors, transient=True
    ) as bar:
        task = bar.add_task("replay", total=file.stat().st_size, completed=start.offset)
        lines = NumberedLines(handle, start)

        def advancing():
            for number, line in lines:
                bar.advance(task, len(line))
                yield number, line

        sink = ErrorSink(cfg, worker="ingest-replay")
        result = replay_lines(advancing(), producer, sink, f"replay:{file.name}",
                              lambda number, reason: errors.print(f"rejected {reason}", markup=False, soft_wrap=True),
                              on_flushed=lambda: checkpoint.save(lines.position), every=checkpoint_every or CHECKPOINT_EVERY)
        sink.close()
    checkpoint.clear()  # finished: running it again is a new backfill of the whole file
    store.close()
    console.print(f"produced {result.produced} mentions to {cfg.topics.mentions_raw}; "
                  f"{result.rejected} rejected lines to {cfg.topics.ingest_errors}", soft_wrap=True)
    if result.rejected:
        raise typer.Exit(1)


@app.command("demo")
def ingest_demo(
    seed: int = typer.Option(7, help="same seed, same stream"),
    anchor: datetime | None = typer.Option(None, help="end of the stream (UTC); default: this hour"),
    scale: float = typer.Option(1.0, help="volume multiplier; 1.0 is about 4,000 mentions"),
) -> None:
    """Produce the generated demo stream to mentions.raw."""
    from passaparola.demo.pipeline import produce_demo

    cfg = settings()
    ensure_topics(cfg)
    count = produce_demo(cfg, seed=seed, anchor=anchor, scale=scale)
    console.print(f"produced {count} mentions to {cfg.topics.mentions_raw}")
