"""``passaparola config``: the configuration, documented from the settings model itself."""

from __future__ import annotations

import typer

app = typer.Typer(help="The configuration: its reference, generated from core/settings.py.", no_args_is_help=True)


@app.command("reference")
def config_reference() -> None:
    """Print every setting (TOML key, environment variable, type, default, description) as Markdown.

    docs/configuration.md is this output: regenerate it with
    `passaparola config reference > docs/configuration.md`.
    """
    from passaparola.config_reference import reference

    typer.echo(reference(), nl=False)
