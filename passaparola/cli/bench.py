"""``passaparola bench ...``: figures printed, never asserted (speed is measured, not tested)."""

from __future__ import annotations

import json
import time

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
    from passaparola.demo.generator import DEMO_BRANDS, generate
    from streams.enrichment.enricher import Enricher
    from streams.enrichment.duplicates import DuplicateIndex
    from streams.enrichment.profile import step_times

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
    from passaparola.cli.common import settings
    from sinks.benchmark import bench_sink as run

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
        f"sink: [bold]{result['sink_per_second']:,} docs/s[/bold]   parallel_bulk: {result['parallel_bulk_per_second']:,} docs/s   "
        f"ratio [bold]{result['ratio']:.2f}[/bold] (target 0.80) over {figures.documents:,} documents"
    )
