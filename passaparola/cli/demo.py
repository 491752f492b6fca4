"""``passaparola demo``: the whole pipeline on generated data, ending with what is searchable."""

from __future__ import annotations

import os
from datetime import datetime

import typer
from rich.table import Table

from passaparola.cli.common import clear_errors, console, settings
from passaparola.demo.summary import ReplyFigures, Summary, alert_list, example_queries, reply_figures, summarize
from passaparola.stack import LocalStack


def demo(
    seed: int = typer.Option(7, help="same seed, same stream"),
    anchor: datetime | None = typer.Option(None, help="end of the stream (UTC); default: this hour"),
    scale: float = typer.Option(1.0, help="volume multiplier; 1.0 is about 4,000 mentions"),
    local_stack: bool = typer.Option(True, help="start the local stack first (--no-local-stack: use the configured services)"),
) -> None:
    """Generate the demo stream, run it through Kafka, the workers and Elasticsearch, and summarise."""
    from core.elastic import connect
    from core.topics import ensure_topics
    from passaparola.demo.generator import generate
    from passaparola.demo.namespace import demo_settings, reset, worker_env, written_ids
    from passaparola.demo.pipeline import run_pipeline
    from sinks.elasticsearch import alias

    cfg = demo_settings(settings())
    if local_stack:
        with clear_errors():
            LocalStack(cfg.stack, report=lambda line: console.print(f"  {line}")).up()
    with clear_errors():
        deleted = reset(cfg)
    if deleted:
        console.print("  removed the previous demo run: " + ", ".join(f"{n} {kind}" for kind, n in deleted.items()))
    ensure_topics(cfg)
    mentions = generate(seed=seed, anchor=anchor, scale=scale)
    console.print(f"generated {len(mentions)} mentions (seed {seed}); running the pipeline on the demo's own topics "
                  f"({cfg.topics.mentions_raw}, ...)")
    with clear_errors():
        run = run_pipeline(cfg, mentions, report=lambda line: console.print(f"  {line}"),
                           worker_env=worker_env(cfg, dict(os.environ)))
    refused = {topic: n for topic, n in run.refused.items() if n}
    if refused:
        where = ", ".join(f"{n} on {topic}" for topic, n in refused.items())
        console.print(f"[red]messages refused during the run: {where}[/red] (each with its reason; read them with a consumer)")
        raise typer.Exit(1)
    if run.indexed != run.produced:
        console.print(f"[red]only {run.indexed} of {run.produced} mentions are searchable; "
                      f"see {', '.join(map(str, run.logs))}[/red]")
        raise typer.Exit(1)
    console.print(f"[green]{run.indexed} of {run.produced} mentions searchable[/green] after {run.seconds:.1f} s")
    read_alias = alias(cfg.elasticsearch.index_prefix)
    es = connect(cfg)
    _print_summary(summarize(es, read_alias))
    replies_alias = alias(cfg.elasticsearch.index_prefix, "replies")
    es.indices.refresh(index=replies_alias, ignore_unavailable=True)
    _print_replies(reply_figures(es, replies_alias))
    alerts_alias = alias(cfg.elasticsearch.index_prefix, "alerts")
    es.indices.refresh(index=alerts_alias, ignore_unavailable=True)
    # This run's alerts only: the previous run's are deleted by reading its topics, and when
    # those are gone (Kafka's data wiped, a test's demo on the same topics) its alerts stay,
    # under other ids, since an alert's id holds its window's time
    # (test_the_summary_lists_only_this_runs_alerts_when_the_previous_runs_topics_are_gone).
    _print_alerts(alert_list(es, alerts_alias, ids=written_ids(cfg, cfg.topics.alerts)))
    console.print(f"\nElasticsearch: {cfg.elasticsearch.url}   index alias: [bold]{read_alias}[/bold]")
    for what, command in example_queries(cfg.elasticsearch.url, read_alias):
        console.print(f"  [dim]# {what}[/dim]")
        console.print(f"  {command}", soft_wrap=True, highlight=False, markup=False)  # one line: copy and paste
    console.print("Dashboards: with docker compose, Grafana at http://127.0.0.1:3000 (folder Passaparola); "
                  "or provision your own Grafana: passaparola dashboards provision --url URL")
    console.print("Stop the local services with: passaparola stack down")


def _counts(title: str, counts: dict[str, int], total: int) -> Table:
    table = Table(title, "mentions", "share", title_justify="left")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}", f"{value / total:.0%}" if total else "-")
    return table


def _print_summary(summary: Summary) -> None:
    console.print(f"\n[bold]Searchable now:[/bold] {summary.documents:,} mentions from {summary.first} to {summary.last}")
    for title, counts in (("brand", summary.by_brand), ("platform", summary.by_platform), ("language", summary.by_language)):
        console.print(_counts(title, counts, summary.documents))
    table = Table("brand", "positive", "neutral", "negative", "mixed", "net sentiment", title_justify="left")
    for brand, labels in summary.sentiment_by_brand.items():
        net = summary.net_sentiment(brand)
        cells = [f"{labels.get(k, 0):,}" for k in ("positive", "neutral", "negative", "mixed")]
        table.add_row(brand, *cells, "-" if net is None else f"{net:+.0%}")
    console.print(table)
    console.print(_counts("intent", summary.by_intent, summary.documents))
    console.print(
        f"brand replies: {summary.brand_replies:,} in {summary.threads_with_reply:,} threads   "
        f"promo/contest noise: {summary.promo:,}   near-duplicates: {summary.duplicates:,}"
    )


def _print_replies(figures: list[ReplyFigures]) -> None:
    table = Table("intent", "owed", "answered", "overdue", "waiting", "rate", "median reply", "business h.",
                  title="Did the brands answer? (messages owed an answer; waiting = SLA not over yet)", title_justify="left")

    def minutes(value: float | None) -> str:
        return "-" if value is None else (f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h")

    for f in figures:
        table.add_row(f.intent, f"{f.owed:,}", f"{f.answered:,}", f"{f.overdue:,}", f"{f.waiting:,}",
                      "-" if f.rate is None else f"{f.rate:.0%}", minutes(f.median_minutes), minutes(f.median_business_minutes))
    console.print(table)


def _print_alerts(alerts: list[dict]) -> None:
    if not alerts:
        console.print("[bold]Alerts:[/bold] none raised")
        return
    console.print(f"[bold]Alerts raised: {len(alerts)}[/bold]")
    for alert in alerts:
        style = {"critical": "red", "high": "yellow"}.get(alert["severity"], "white")
        console.print(f"  [{style}]{alert['at']} {alert['kind']} ({alert['window']}, {alert['severity']})[/{style}] "
                      f"{alert['summary']}", highlight=False, soft_wrap=True)
        if alert.get("authors"):
            console.print(f"    top authors: {', '.join(alert['authors'][:3])}; sources: {', '.join(alert['sources'][:3])}",
                          highlight=False, markup=False, soft_wrap=True)
        for example in alert.get("examples", [])[:2]:
            console.print(f"    e.g. \"{example['text'][:140]}\" ({example['platform']}, reach {example['reach']:,})",
                          highlight=False, markup=False, soft_wrap=True)
