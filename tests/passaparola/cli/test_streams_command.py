"""``passaparola streams worker`` refuses settings only the app can check, with one clear
line and exit 2, before it connects to anything."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from passaparola.cli import app


@pytest.mark.parametrize(("windows", "says"), [
    ('["1m", "90s"]', "window sizes ['90s'] are not multiples of the smallest"),
    ('["1m", "2x"]', "not a window size: '2x'"),
])
def test_bad_window_sizes_stop_the_worker_with_a_clear_error(windows, says):
    result = CliRunner().invoke(app, ["streams", "worker"],
                                env={"PASSAPAROLA_ALERTS__WINDOWS": windows, "PASSAPAROLA_LOG_JSON": "false"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert "configuration error" in result.stderr and "alerts.windows" in result.stderr
    assert says in " ".join(result.stderr.split())  # rich wraps long lines
