"""The ``passaparola`` command."""

from __future__ import annotations

import sys
from importlib.metadata import version

import typer

from passaparola.cli import alerts, bench, config, dashboards, demo, enrich, evaluate, ingest, stack, workers
from passaparola.cli.common import console, known_failure, say_error
from passaparola.parent_watch import watch_parent

app = typer.Typer(
    help="Passaparola: real-time buzz and web-reputation monitor.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _show_version(shown: bool) -> None:
    if shown:
        console.print(f"passaparola {version('passaparola')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                      help="print the version and exit"),
) -> None:
    pass


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
    try:
        app()
    except Exception as err:
        # Any command: a service down or a file missing is one line (commands that expect a
        # failure say more with clear_errors); anything else is a bug and keeps its traceback.
        reason = known_failure(err)
        if reason is None:
            raise
        say_error(reason)
        sys.exit(1)
