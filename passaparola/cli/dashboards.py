"""``passaparola dashboards ...``: Grafana dashboards as code, and pushing them to a Grafana."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from passaparola.cli.common import console, errors

app = typer.Typer(help="Grafana dashboards, datasources and alert rules as code.", no_args_is_help=True)


@app.command("build")
def dashboards_build(
    out: Path | None = typer.Option(None, help="where to write (default: dashboards/provisioning/dashboards/json)"),
) -> None:
    """Generate the dashboards' JSON from the Python definitions (reproducible: same code, same bytes)."""
    from dashboards.build import build

    for path in build(out):
        console.print(f"wrote {path}")


@app.command("provision")
def dashboards_provision(
    url: str = typer.Option(..., help="the Grafana to push to, e.g. http://127.0.0.1:3000"),
) -> None:
    """Push datasources, folder, dashboards and alert rules to an existing Grafana (idempotent).

    Credentials from the environment: PASSAPAROLA_SECRETS__GRAFANA_TOKEN (a service-account
    token), or GRAFANA_USER and GRAFANA_PASSWORD for basic auth.
    """
    from dashboards.provision import ProvisionError, default_python, provision
    from passaparola.cli.common import settings

    cfg = settings()
    token = cfg.secrets.grafana_token
    try:
        done = provision(url, token.get_secret_value() if token else None, os.environ.get("GRAFANA_USER"),
                         os.environ.get("GRAFANA_PASSWORD"), cfg.dashboards_python or default_python())
    except ProvisionError as err:  # auth, version or network: the push says it in one line
        errors.print(f"error: {err}", markup=False)
        raise typer.Exit(1) from None
    for what, value in done.items():
        console.print(f"{what}: {value}")
