"""The long-running workers and their helpers: ``streams``, ``sink``, ``topics`` (``ingest`` has its own module)."""

from __future__ import annotations

import signal

import typer

from core.metrics import serve
from core.settings import ConfigError
from core.topics import ensure_topics
from passaparola.cli.common import clear_errors, console, errors, settings

streams = typer.Typer(help="The Faust stream processors.", no_args_is_help=True)
sink = typer.Typer(help="Index Kafka topics into Elasticsearch.", no_args_is_help=True)
topics = typer.Typer(help="Kafka topics of the pipeline.", no_args_is_help=True)


@topics.command("create")
def topics_create() -> None:
    """Create every pipeline topic that does not exist yet."""
    created = ensure_topics(settings())
    console.print(f"created: {', '.join(created)}" if created else "all topics exist")


@streams.command("worker")
def streams_worker() -> None:
    """Run the Faust stream processors (enrichment, reply tracking, spike alerts) until stopped."""
    from faust import Worker

    from streams.app import create_app
    from streams.operability import healthy

    cfg = settings(worker=True)
    try:
        with clear_errors():  # e.g. a Faust version our patches were not written for
            app = create_app(cfg)
    except ConfigError as err:  # settings only the app can check, e.g. the window sizes
        errors.print(f"[red]configuration error:[/red] {err}")
        raise typer.Exit(2) from None
    ensure_topics(cfg)  # after the checks: a bad setting is told without a broker
    serve(cfg.metrics_port, healthy=lambda: healthy(app), host=cfg.metrics_host)
    # override_logging=False: keep our JSON log lines instead of Faust's own format.
    Worker(app, loglevel=cfg.log_level.lower(), quiet=True, override_logging=False).execute_from_commandline()


@sink.command("setup")
def sink_setup() -> None:
    """Create or update the index templates (and the ILM policy where the cluster has ILM). Idempotent."""
    from sinks.elasticsearch import ElasticsearchSink

    cfg = settings()
    offered = ElasticsearchSink.from_settings(cfg).setup()
    prefix = cfg.elasticsearch.index_prefix
    console.print(f"templates {prefix}-mentions-*, {prefix}-replies-*, {prefix}-alerts-* are in place")
    console.print(
        "retention: " + (f"ILM policy {prefix}-retention ({cfg.elasticsearch.retention_days} days)" if offered["ilm"]
                         else "no ILM on this cluster; run `passaparola sink prune --yes` from cron")
    )
    if not offered["language_analyzers"]:
        console.print("[yellow]no italian/english analyzers: text.it and text.en fall back to standard[/yellow]")


@sink.command("prune")
def sink_prune(
    keep_months: int = typer.Option(13, min=1, help="monthly indices to keep, this month included"),
    yes: bool = typer.Option(False, "--yes", help="delete them; without it, only list them"),
) -> None:
    """List, or with --yes delete, the monthly indices older than --keep-months (retention on
    clusters without ILM). Only indices the sink's templates made are considered."""
    from core.elastic import connect
    from sinks.elasticsearch import prune

    cfg = settings()
    with clear_errors():  # Elasticsearch down: one line
        doomed = prune(connect(cfg), cfg.elasticsearch.index_prefix, keep_months, delete=yes)
    if not doomed:
        console.print("nothing older to delete")
    elif yes:
        console.print(f"deleted: {', '.join(doomed)}")
    else:
        console.print(f"would delete: {', '.join(doomed)}\nrun again with --yes to delete them")


@sink.command("run")
def sink_run(
    idle_exit: float | None = typer.Option(None, help="exit after this many seconds without messages"),
) -> None:
    """Index enriched mentions, replies and alerts into Elasticsearch until stopped (SIGTERM finishes the batch)."""
    from sinks.base import Batching, sink_group
    from sinks.elasticsearch import ElasticsearchSink
    from sinks.worker import SinkWorker

    cfg = settings(worker=True)
    ensure_topics(cfg)
    target = ElasticsearchSink.from_settings(cfg)
    worker = SinkWorker(cfg, target, list(target.kinds), group_id=sink_group(cfg), dlq_topic=cfg.topics.sink_dlq,
                        batching=Batching(**cfg.sink.model_dump()))
    serve(cfg.metrics_port, healthy=lambda: worker.healthy(cfg.health_stall_s), host=cfg.metrics_host)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    worker.run(idle_exit_s=idle_exit)


def search(
    text: str = typer.Argument(..., help='words, "phrases", -excluded, a | b'),
    brand: str | None = typer.Option(None, help="only mentions matching this brand"),
    since: str | None = typer.Option(None, help="30m, 24h, 7d, 2w, or an ISO date"),
    platform: str | None = typer.Option(None, help="x, mastodon, reddit, feed, ..."),
    size: int = typer.Option(20, min=1, max=10_000, help="rows to show"),
) -> None:
    """Search the indexed mentions and print the best matches as a table."""
    from rich.table import Table

    from core.elastic import connect
    from sinks.elasticsearch import alias
    from sinks.search import SearchError, since_time
    from sinks.search import search as run_search

    cfg = settings()
    try:
        start = since_time(since) if since else None
    except SearchError as err:
        errors.print(str(err), markup=False)
        raise typer.Exit(2) from None
    total, rows = run_search(connect(cfg), alias(cfg.elasticsearch.index_prefix), text, brand, platform, start, size)
    table = Table("published", "brand", "platform", "lang", "sentiment", "intent", "author", "text",
                  title=f"{total:,} mentions match")
    for row in rows:
        feeling = (row.get("sentiment") or {}).get("label", "")
        snippet = " ".join((row.get("text") or row.get("title") or "").split())[:140]
        table.add_row(row["published_at"][:16].replace("T", " "), row.get("brand") or "", row["platform"],
                      row.get("language") or "", feeling, row.get("intent") or "",
                      (row.get("author") or {}).get("handle") or "", snippet)
    console.print(table)
