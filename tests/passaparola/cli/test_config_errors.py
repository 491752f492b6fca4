"""A configuration error names the setting and its variable, and never echoes the value:
the value may be a secret, pasted into the wrong variable."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from passaparola.cli import app

SECRET = "hunter2]x[/red]y[bold]"  # brackets: Rich markup once swallowed part of pydantic's echo


@pytest.mark.parametrize(("variable", "setting"), [
    ("PASSAPAROLA_KAFKA__PARTITIONS", "kafka.partitions"),
    ("PASSAPAROLA_INGEST__TIMEOUT_S", "ingest.timeout_s"),
    ("PASSAPAROLA_LOG_JSON", "log_json"),
])
def test_an_invalid_value_is_named_never_echoed(variable, setting):
    result = CliRunner().invoke(app, ["topics", "create"], env={variable: SECRET})
    assert result.exit_code == 2, result.output
    line = " ".join(result.stderr.split())
    assert line.startswith(f"configuration error: {setting} ({variable}): "), line
    assert "hunter2" not in result.output + result.stderr and "Traceback" not in result.stderr
