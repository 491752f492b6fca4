"""``passaparola ingest run`` as a supervisor (Compose, systemd) runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.support.net import free_port


def test_with_no_sources_it_waits_says_why_and_stops_cleanly(tmp_path):
    """No sources is a setup not finished, not a crash: exiting would make a supervisor's
    restart policy a crash loop. It never touches Kafka either (none runs here)."""
    config = tmp_path / "passaparola.toml"
    config.write_text("log_json = false\n")
    port = free_port()
    env = {**os.environ, "PASSAPAROLA_CONFIG": str(config), "PASSAPAROLA_METRICS_PORT": str(port),
           "PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    worker = subprocess.Popen([sys.executable, "-m", "passaparola", "ingest", "run"], env=env, cwd=tmp_path,
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
    assert "no sources configured: waiting; add [[sources]]" in err and "Traceback" not in err
    assert "serving /metrics and /healthz" in err and str(port) in err
