"""``passaparola stack up | down | status | logs``: the local Kafka broker and Elasticsearch node."""

from __future__ import annotations

import subprocess
import time

import typer
from rich.table import Table

from passaparola.cli.common import clear_errors, console, settings
from passaparola.stack import LocalStack

app = typer.Typer(help="Run a real Kafka broker and Elasticsearch node on 127.0.0.1 (no Docker needed).", no_args_is_help=True)


def _stack() -> LocalStack:
    return LocalStack(settings().stack, report=lambda line: console.print(f"  {line}"))


@app.command()
def up() -> None:
    """Download (once, cached), start, and wait until both services are healthy. A no-op when up."""
    stack = _stack()
    begin = time.monotonic()
    with clear_errors():
        started = stack.up()
    if any(started.values()):
        console.print(f"[green]stack up[/green] in {time.monotonic() - begin:.1f} s")
    else:
        console.print("stack already up: nothing to do")
    _print_status(stack)


@app.command()
def down() -> None:
    """Stop the services this stack started (found by pid file); data is kept."""
    stopped = _stack().down()
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing of ours was running")


@app.command()
def status() -> None:
    """Versions, ports, pids and health. Exit code 1 unless every service is healthy."""
    stack = _stack()
    if not _print_status(stack):
        raise typer.Exit(1)


@app.command()
def logs(
    service: str = typer.Argument("all", help="kafka, elasticsearch or all"),
    lines: int = typer.Option(40, "-n", "--lines"),
    follow: bool = typer.Option(False, "-f", "--follow"),
) -> None:
    """Show the end of the services' logs (and where they are)."""
    files = {name.lower(): path for name, path in _stack().logs().items()}
    chosen = files if service == "all" else {service: files.get(service)}
    if None in chosen.values():
        raise typer.BadParameter(f"unknown service {service!r}; choose from {', '.join(files)} or all")
    paths = [str(p) for p in chosen.values() if p.exists()]
    if not paths:
        console.print("no logs yet: has the stack ever started?")
        return
    subprocess.run(["tail", f"-n{lines}", *(["-F"] if follow else []), *paths], check=False)


def _print_status(stack: LocalStack) -> bool:
    table = Table("service", "version", "ports", "pid", "state")
    rows = stack.status()
    for row in rows:
        ports = ", ".join(f"{k} {v}" for k, v in row.ports.items())
        colour = {"healthy": "green", "unhealthy": "yellow"}.get(row.state, "red")
        table.add_row(row.name, row.version, ports, str(row.pid or "-"), f"[{colour}]{row.state}[/{colour}]")
    console.print(table)
    for row in rows:  # full paths, unwrapped, so they can be copied
        console.print(f"{row.name} log: {row.log}", soft_wrap=True, highlight=False)
    return all(row.state == "healthy" for row in rows)
