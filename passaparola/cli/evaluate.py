"""``passaparola eval sentiment``: how good the enrichment methods are, on the data in ../shared."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from passaparola.cli.common import console, errors

app = typer.Typer(
    help="Measure the enrichment methods on the labelled data in ../shared (exit 1 if a target is missed).",
    no_args_is_help=True,
)


@app.callback()
def _group() -> None:
    """Keeps ``sentiment`` a sub-command even while it is the only one."""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@app.command()
def sentiment(
    shared: Path = typer.Option(Path("../shared"), "--shared", help="the shared data folder beside the repository"),
) -> None:
    """Italian SENTIPOLC cross-validated polarity F with baselines; English Pearson r on VADER's sets."""
    from streams.enrichment.sentiment.evaluation import evaluation_report

    if not (shared / "data" / "sentiment").is_dir():
        errors.print(f"[red]error:[/red] {shared}/data/sentiment not found (pass --shared)")
        raise typer.Exit(2)
    with console.status("cross-validating the Italian model and scoring the English sets..."):
        figures = evaluation_report(shared)
    table = Table(title="Sentiment evaluation")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("baseline", justify="right")
    table.add_column("", justify="center")
    table.add_column("note", overflow="fold")
    for figure in figures:
        mark = "" if figure.passed is None else "[green]ok[/green]" if figure.passed else "[red]MISSED[/red]"
        table.add_row(figure.name, _number(figure.value), _number(figure.target), _number(figure.baseline), mark, figure.note)
    console.print(table)
    missed = [figure.name for figure in figures if figure.passed is False]
    if missed:
        errors.print(f"[red]target missed:[/red] {', '.join(missed)}")
        raise typer.Exit(1)
