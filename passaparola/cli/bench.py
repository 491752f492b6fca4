"""``passaparola bench ...``: figures printed, never asserted (speed is measured, not tested)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.table import Table

from passaparola.cli.common import console

app = typer.Typer(help="Benchmarks: print measured figures.", no_args_is_help=True)


@app.command("enrich")
def bench_enrich(
    scale: float = typer.Option(2.0, help="demo stream size; 1.0 is about 4,000 mentions"),
    rounds: int = typer.Option(3, help="timed passes over the stream; the best is reported"),
    as_json: bool = typer.Option(False, "--json", help="print the figures as JSON"),
) -> None:
    """Mentions per second through the whole enrichment on one core, and each step's share.

    The input is the demo stream (about 60 % Italian, 35 % English, a few other languages,
    tweet-length texts, brand posts and news articles), enriched with the demo's brands.
    """
    from passaparola.benchmarks.enrichment_steps import step_times
    from passaparola.demo.generator import DEMO_BRANDS, generate
    from streams.enrichment.duplicates import DuplicateIndex
    from streams.enrichment.enricher import Enricher

    mentions = generate(seed=11, scale=scale)
    best = float("inf")
    for _ in range(rounds):
        enricher = Enricher(DEMO_BRANDS, duplicates=DuplicateIndex())  # a fresh index each pass
        start = time.perf_counter()
        for mention in mentions:
            enricher.enrich(mention)
        best = min(best, time.perf_counter() - start)
    steps = step_times(Enricher(DEMO_BRANDS), mentions)
    figures = {
        "mentions": len(mentions),
        "mentions_per_second": round(len(mentions) / best),
        "microseconds_per_mention": round(best / len(mentions) * 1e6, 1),
        "target_per_second": 5000,
        "steps_microseconds": {name: round(us, 1) for name, us in steps.items()},
    }
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    console.print(
        f"enrichment: [bold]{figures['mentions_per_second']:,} mentions/s[/bold] on one core "
        f"({figures['microseconds_per_mention']} µs each, best of {rounds} over {len(mentions):,}; target 5,000/s)"
    )
    table = Table("step", "µs per mention", "share")
    total = sum(steps.values())
    for name, us in steps.items():
        table.add_row(name, f"{us:.1f}", f"{us / total:.0%}")
    console.print(table)


@app.command("sink")
def bench_sink(
    documents: int = typer.Option(50_000, help="enriched mentions to index"),
    batch: int = typer.Option(1000, help="documents per bulk request, on both sides"),
    as_json: bool = typer.Option(False, "--json", help="print the figures as JSON"),
) -> None:
    """Documents per second through the sink worker (Kafka -> Elasticsearch) against the same
    documents written straight with elasticsearch.helpers.parallel_bulk; target ratio 0.8."""
    from passaparola.benchmarks.sink import bench_sink as run
    from passaparola.cli.common import settings

    figures = run(settings(), documents, batch)
    result = {
        "documents": figures.documents,
        "sink_per_second": round(figures.sink_per_second),
        "parallel_bulk_per_second": round(figures.parallel_bulk_per_second),
        "ratio": round(figures.ratio, 3),
        "target_ratio": 0.8,
    }
    if as_json:
        print(json.dumps(result, indent=2))
        return
    console.print(
        f"sink: [bold]{result['sink_per_second']:,} docs/s[/bold]   "
        f"parallel_bulk: {result['parallel_bulk_per_second']:,} docs/s   "
        f"ratio [bold]{result['ratio']:.2f}[/bold] (target 0.80) over {figures.documents:,} documents"
    )


@app.command("e2e")
def bench_e2e(
    rate: float = typer.Option(2000, help="mentions per second offered during the sustained run"),
    duration: float = typer.Option(60, help="seconds of sustained load"),
    race: int = typer.Option(20_000, help="mentions for the catch-up race (ours, then the quix-streams peer)"),
    limit_count: int = typer.Option(20_000, "--limits", help="mentions for the machine-limit measurements"),
    peer_python: str | None = typer.Option(None, help="Python of the venv with the quix-streams peer "
                                                      "[default: the repository's .venv-bench, made by make bench]"),
    streams_workers: int = typer.Option(1, min=1, help="streams worker processes in the pipeline (one consumer group)"),
    out: Path | None = typer.Option(None, help="write the figures here as JSON (default: the state dir's bench/)"),
) -> None:
    """The full pipeline (streams and sink workers as deployed) under a steady load, its
    catch-up speed beside a quix-streams peer, and this machine's limits, in one run."""
    import os
    import platform
    from datetime import datetime, timezone

    from passaparola.benchmarks.runs import PEER_PYTHON, catch_up, machine_limits, sustained
    from passaparola.cli.common import settings

    cfg = settings()
    logs = cfg.stack.state_dir / "bench"
    say = lambda line: console.print(f"  {line}")  # noqa: E731
    console.print(f"sustained run: {rate:,.0f} mentions/s for {duration:.0f} s")
    figures = {"machine": {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
               "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "streams_workers": streams_workers}
    figures["sustained"] = sustained(cfg, rate, duration, logs, say, streams_workers)
    console.print(f"catch-up race: {race:,} mentions waiting on a topic")
    figures["catch_up"] = catch_up(cfg, race, logs, say, peer_python or str(PEER_PYTHON), streams_workers)
    console.print(f"machine limits over {limit_count:,} mentions")
    figures["limits"] = machine_limits(cfg, limit_count)
    _print_e2e(figures)
    out = out or logs / f"e2e-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    console.print(f"figures written to {out}")


def _per_s(value: int | None) -> str:
    return "not measured" if value is None else f"{value:,}"


def _print_e2e(figures: dict) -> None:
    s, c, lim = figures["sustained"], figures["catch_up"], figures["limits"]
    lat = s["latency_s"]
    console.print(
        f"\n[bold]sustained[/bold]: offered {s['offered_per_s']:,.0f}/s, searchable {s['searchable_per_s']:,}/s "
        f"(drained {s['drain_s_after_last_send']} s after the last send); publish-to-searchable p50 {lat['p50']} s, "
        f"p95 {lat['p95']} s, p99 {lat['p99']} s, max {lat['max']} s over {s['probes']} probes "
        f"(targets: >= 2,000/s with p99 <= 5 s); CPU cores used: {s['cpu_cores_used']}"
    )
    ours, peer = c["ours_per_s"], c.get("peer_per_s")
    table = Table("stage limit on this machine", "limit /s", "pipeline max /s", "fraction",
                  title="catch-up throughput against the limits", title_justify="left")
    for label, key in (("Kafka produce (client loop)", "kafka_produce_per_s"),
                       ("Kafka consume (client loop)", "kafka_consume_per_s"),
                       ("enrichment, pure, one core", "enrich_per_s"),
                       ("Elasticsearch parallel_bulk", "es_bulk_per_s")):
        table.add_row(label, f"{lim[key]:,}", _per_s(ours), "-" if ours is None else f"{ours / lim[key]:.2f}")
    console.print(table)
    console.print(f"our streams workers with every agent (reply tracker and spike detector too, not only what makes a "
                  f"mention searchable): {_per_s(c.get('ours_all_agents_per_s'))}/s")
    if "peer_per_s" in c:
        ratio = "-" if ours is None or peer is None else f"{ours / peer:.2f}"
        console.print(f"quix-streams peer (enrich + ElasticsearchSink, same topic): {_per_s(peer)}/s; "
                      f"ours {_per_s(ours)}/s; ratio ours/peer [bold]{ratio}[/bold]")
    else:
        console.print(f"quix-streams peer: {c.get('peer', 'not run')}")
