"""Workers started before they have anything to do, as a supervisor (Compose, systemd) starts
them from a fresh setup: they wait and say why instead of exiting into a restart loop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.support.net import free_port


@pytest.mark.parametrize(("command", "says", "extra"), [
    (["ingest", "run"], "no sources configured: waiting; add [[sources]]", {}),
    (["alerts", "notify"], "no webhook configured: waiting; set PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL",
     {"PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL": ""}),  # as Compose passes it when .env leaves it empty
])
def test_a_worker_with_nothing_configured_waits_says_why_and_stops_cleanly(command, says, extra, tmp_path):
    """Not touching Kafka either: none runs here."""
    config = tmp_path / "passaparola.toml"
    config.write_text("log_json = false\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL"}
    env = {**env, "PASSAPAROLA_CONFIG": str(config), "PASSAPAROLA_METRICS_PORT": str(port),
           "PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}", **extra}
    worker = subprocess.Popen([sys.executable, "-m", "passaparola", *command], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert worker.poll() is None, worker.communicate()
                assert time.monotonic() < deadline, "no /healthz within 60 s"
                time.sleep(0.2)
        time.sleep(2)  # waiting is the scenario: still there
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert says in err and "Traceback" not in err
    assert "serving /metrics and /healthz" in err and str(port) in err
