"""``passaparola eval sentiment | intent``: how good the enrichment methods are, on labelled real data."""

from __future__ import annotations

import importlib.util
import sys
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
    """Keeps the commands sub-commands."""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@app.command()
def sentiment(
    shared: Path = typer.Option(Path("../shared"), "--shared", help="the shared data folder beside the repository"),
) -> None:
    """Italian SENTIPOLC cross-validated polarity F with baselines; English Pearson r on VADER's sets."""
    from passaparola.evaluation.sentiment import evaluation_report

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


def _load_corpus(labels: Path):
    # The loader lives with the labels in tests/data/intent (texts stay in ../shared).
    spec = importlib.util.spec_from_file_location("intent_corpus", labels / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corpus
    spec.loader.exec_module(corpus)
    return corpus


@app.command()
def intent(
    shared: Path = typer.Option(Path("../shared"), "--shared", help="the shared data folder beside the repository"),
    labels: Path = typer.Option(Path("tests/data/intent"), "--labels", help="the hand-labelled ids and labels"),
) -> None:
    """Precision and recall per intent on hand-labelled real Italian and English texts.

    The test half (by a hash of each id) was never looked at while writing the cues; the
    dev half was. Sample A is a random draw, B a supplement of rare intents.
    """
    from passaparola.evaluation.intent import half_of, macro_f1, per_class, predict

    corpus = _load_corpus(labels)
    for language in ("it", "en"):
        rows = corpus.load_labelled(shared, language)
        predicted = predict([r.text for r in rows], language)
        for half in ("test", "dev"):
            chosen = [(r, p) for r, p in zip(rows, predicted) if half_of(r.source, r.id) == half]
            figures = per_class([r.label for r, _ in chosen], [p for _, p in chosen])
            accuracy = sum(r.label == p for r, p in chosen) / len(chosen)
            table = Table("intent", "texts", "precision", "recall", "F1",
                          title=f"{language}, {half} half: {len(chosen)} texts, accuracy {accuracy:.2f}, "
                          f"macro-F1 {macro_f1(figures):.2f}", title_justify="left")
            for f in figures:
                table.add_row(f.intent, str(f.support), _number(f.precision), _number(f.recall), f"{f.f1:.2f}")
            console.print(table)


@app.command()
def spikes(
    shared: Path = typer.Option(Path("../shared"), "--shared", help="the shared data folder beside the repository"),
    folder: str = typer.Option("data/spikes/nab_realTweets", help="a folder of timestamp,value CSVs with labels.json"),
    window: str = typer.Option("1h", help="detector window; 'native' for the series' step"),
) -> None:
    """Backtest the spike detector on labelled real series: precision, window recall, delay (target 0.6 at 0.8)."""
    from passaparola.evaluation.spikes import evaluate_folder, pooled, report

    where = shared / folder
    if not (where / "labels.json").is_file():
        errors.print(f"[red]error:[/red] {where}/labels.json not found (pass --shared)")
        raise typer.Exit(2)
    results = evaluate_folder(where, None if window == "native" else window)
    print(report(results))
    total = pooled(results)
    met = total.precision >= 0.6 and total.recall >= 0.8
    print(f"target precision >= 0.60 at window recall >= 0.80: {'met' if met else 'MISSED'} "
          f"({total.precision:.2f} at {total.recall:.2f})")
    if not met:
        raise typer.Exit(1)
