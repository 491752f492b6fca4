"""The ``passaparola`` command."""

from __future__ import annotations

import typer

from passaparola.cli import alerts, bench, config, dashboards, demo, enrich, evaluate, ingest, stack, workers
from passaparola.parent_watch import watch_parent

app = typer.Typer(
    help="Passaparola: real-time buzz and web-reputation monitor.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(stack.app, name="stack")
app.add_typer(ingest.app, name="ingest")
app.add_typer(workers.streams, name="streams")
app.add_typer(workers.sink, name="sink")
app.add_typer(workers.topics, name="topics")
app.add_typer(alerts.app, name="alerts")
app.add_typer(bench.app, name="bench")
app.add_typer(dashboards.app, name="dashboards")
app.add_typer(evaluate.app, name="eval")
app.add_typer(config.app, name="config")
app.command("demo")(demo.demo)
app.command("enrich")(enrich.enrich)
app.command("search")(workers.search)


def main() -> None:
    watch_parent()
    app()
