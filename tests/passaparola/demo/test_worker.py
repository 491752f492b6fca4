"""Workers started by the demo or a benchmark do not outlive the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.waits import wait_until

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")

DRIVER = """
import sys, time
from pathlib import Path
from passaparola.demo.pipeline import Worker
worker = Worker("streams", ["streams", "worker"], Path(sys.argv[1]), env=None)
worker.start()
print(worker.process.pid, flush=True)
time.sleep(600)  # alive until the test kills it
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_a_worker_stops_when_its_driver_is_killed(tmp_path):
    # A broker nobody listens on: the worker keeps retrying, as long-lived as a real one.
    env = {**os.environ, "PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:1",
           "PASSAPAROLA_STACK__STATE_DIR": str(tmp_path)}
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(tmp_path / "worker.log")], env=env,
                              stdout=subprocess.PIPE, text=True)
    worker_pid = int(driver.stdout.readline())
    try:
        time.sleep(1)  # gives a worker that dies at start the time to show it
        assert _alive(worker_pid), (tmp_path / "worker.log").read_text()
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        wait_until(lambda: not _alive(worker_pid), 30, "the worker ending with its driver (it outlived it)")
    finally:
        if _alive(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)
