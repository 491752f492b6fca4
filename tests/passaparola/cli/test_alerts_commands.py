"""``passaparola alerts backtest`` and ``eval spikes`` as a user runs them (no services needed)."""

from __future__ import annotations

import json
import subprocess
import sys

NAB = "data/spikes/nab_realTweets"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "passaparola", *args], capture_output=True, text=True, timeout=300)


def test_backtest_prints_one_json_alert_per_line(shared):
    done = _cli("alerts", "backtest", str(shared / NAB / "Twitter_volume_AAPL.csv"))
    assert done.returncode == 0, done.stderr
    alerts = [json.loads(line) for line in done.stdout.splitlines()]
    assert alerts and all({"at", "kind", "p_value", "observed", "expected", "severity"} <= set(a) for a in alerts)
    assert all(a["window"] == "1h" and a["p_value"] < 1e-3 and a["observed"] > a["expected"] for a in alerts)


def test_backtest_of_a_file_that_is_not_a_series_is_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,value\nyesterday,many\n")
    done = _cli("alerts", "backtest", str(bad))
    assert done.returncode != 0 and "Traceback" not in done.stderr and done.stderr.strip().count("\n") == 0


def test_eval_spikes_reports_each_series_and_the_target(shared):
    done = _cli("eval", "spikes", "--shared", str(shared))
    assert "pooled" in done.stdout and "Twitter_volume_FB.csv" in done.stdout
    assert done.returncode == (0 if "target precision >= 0.60 at window recall >= 0.80: met" in done.stdout else 1)
