"""What every command shares: settings, logging, and turning known errors into one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from core.errors import PassaparolaError
from core.logs import configure_logging
from core.settings import ConfigError, Settings, describe_invalid, load_settings

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error is one line, however narrow the terminal


def settings() -> Settings:
    try:
        loaded = load_settings()
    except (ConfigError, ValidationError) as err:
        reason = describe_invalid(err) if isinstance(err, ValidationError) else str(err)
        errors.print(Text("configuration error: ", style="red") + Text(reason))  # Text: no markup in it
        raise typer.Exit(2) from None
    configure_logging(loaded.log_level, loaded.log_json)
    return loaded


@contextmanager
def clear_errors() -> Iterator[None]:
    """Known failures end the command with their message, not a traceback."""
    try:
        yield
    except PassaparolaError as err:
        # Text, not markup: messages quote log lines full of [brackets].
        errors.print(Text("error: ", style="red") + Text(str(err)))
        raise typer.Exit(1) from None
