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
        _fail(str(err))
    except Exception as err:
        reason = _elasticsearch_failure(err)
        if reason is None:
            raise
        _fail(reason)


def _fail(reason: str) -> None:
    # Text, not markup: messages quote log lines full of [brackets].
    errors.print(Text("error: ", style="red") + Text(reason))
    raise typer.Exit(1) from None


def _elasticsearch_failure(err: Exception) -> str | None:
    """One line for Elasticsearch unreachable or refusing, None for anything else (imported
    only when something failed: most commands never load the client)."""
    from elasticsearch import ApiError
    from elasticsearch import TransportError as EsTransportError

    if isinstance(err, EsTransportError):
        return f"Elasticsearch unreachable ({type(err).__name__}): check elasticsearch.url and that the node runs"
    if isinstance(err, ApiError):
        return f"Elasticsearch answered {err.meta.status}: {err.message}"
    return None
