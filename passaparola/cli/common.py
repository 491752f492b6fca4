"""What every command shares: settings, logging, and turning known errors into one clear line."""

from __future__ import annotations

import logging
import sys
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


def settings(worker: bool = False) -> Settings:
    """The settings, with logging configured. A one-shot command (``worker`` False) keeps the
    Kafka client's connection logs to itself: a failure ends the command in one line anyway,
    where a long-running worker's log should show each reconnection."""
    try:
        loaded = load_settings()
    except (ConfigError, ValidationError) as err:
        reason = describe_invalid(err) if isinstance(err, ValidationError) else str(err)
        errors.print(Text("configuration error: ", style="red") + Text(reason))  # Text: no markup in it
        raise typer.Exit(2) from None
    configure_logging(loaded.log_level, loaded.log_json)
    if not worker:
        logging.getLogger("kafka").setLevel(logging.CRITICAL)
    return loaded


@contextmanager
def clear_errors() -> Iterator[None]:
    """Known failures end the command with their message, not a traceback."""
    try:
        yield
    except Exception as err:
        reason = known_failure(err)
        if reason is None:
            raise
        _fail(reason)


def known_failure(err: BaseException) -> str | None:
    """One line for a failure the user can cause or fix (a service down, a file missing),
    None for anything else: a bug keeps its traceback."""
    if isinstance(err, PassaparolaError):
        return str(err)
    return _elasticsearch_failure(err) or _kafka_failure(err) or _file_failure(err)


def say_error(reason: str) -> None:
    """``error: <reason>`` on stderr, one line."""
    # Text, not markup: messages quote log lines full of [brackets].
    errors.print(Text("error: ", style="red") + Text(reason))


def _fail(reason: str) -> None:
    say_error(reason)
    raise typer.Exit(1) from None


def _elasticsearch_failure(err: BaseException) -> str | None:
    """Elasticsearch unreachable or refusing (the client is only looked at if it was loaded:
    most commands never load it)."""
    if "elasticsearch" not in sys.modules:
        return None
    from elasticsearch import ApiError
    from elasticsearch import TransportError as EsTransportError

    if isinstance(err, EsTransportError):
        return f"Elasticsearch unreachable ({type(err).__name__}): check elasticsearch.url and that the node runs"
    if isinstance(err, ApiError):
        if err.meta.status == 404 and "index_not_found" in str(err.error):
            return ("Elasticsearch has no Passaparola index yet: run `passaparola sink setup` and a sink "
                    "(or `passaparola demo`), or check elasticsearch.index_prefix")
        return f"Elasticsearch answered {err.meta.status}: {err.message}"
    return None


def _kafka_failure(err: BaseException) -> str | None:
    """Kafka unreachable (kafka-python raises these when no broker answers in time)."""
    if "kafka" not in sys.modules:
        return None
    from kafka.errors import AuthorizationError, RetriableError

    if isinstance(err, RetriableError):  # no connection, a timeout, no broker ready
        return f"Kafka unreachable ({type(err).__name__}): check kafka.bootstrap_servers and that the broker runs"
    if isinstance(err, AuthorizationError):
        return f"Kafka refused the request ({type(err).__name__}): check the client's ACLs"
    return None


def _file_failure(err: BaseException) -> str | None:
    """A file the user named (or a command's default one) that cannot be read or written."""
    if isinstance(err, OSError) and err.filename and err.strerror:
        return f"{err.filename}: {err.strerror}"
    return None
