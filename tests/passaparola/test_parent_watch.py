"""A worker whose starter died and that ignores the SIGTERM this brings is ended anyway."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from passaparola.parent_watch import PARENT_ENV
from tests.support.waits import wait_until

# The starter: starts a "worker" that ignores SIGTERM (as a stuck one did), prints its pid,
# and is then killed without a word.
STARTER = textwrap.dedent("""
    import os, subprocess, sys
    from passaparola.demo.pipeline import die_with_parent
    worker = subprocess.Popen([sys.executable, "-c", sys.argv[1]], preexec_fn=die_with_parent,
                              env={**os.environ, "PASSAPAROLA_PARENT_PID": str(os.getpid())})
    print(worker.pid, flush=True)
    sys.stdin.read()
""")
STUCK_WORKER = textwrap.dedent("""
    import signal, time
    from passaparola.parent_watch import watch_parent
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    watch_parent(grace_s=1.0, every_s=0.1)
    time.sleep(120)  # stuck until the watch ends it
""")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_worker_ignoring_sigterm_exits_after_the_grace_once_its_parent_died():
    starter = subprocess.Popen([sys.executable, "-c", STARTER, STUCK_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    worker = int(starter.stdout.readline())
    try:
        # Sleeps that give a wrong exit time to happen: longer than the grace, then within it.
        time.sleep(1.5)
        assert _alive(worker)  # the parent lives: the watch does nothing
        starter.kill()
        starter.wait(10)
        time.sleep(0.5)
        assert _alive(worker)  # SIGTERM came and was ignored; the grace runs
        wait_until(lambda: not _alive(worker), 10, "the worker ended after the grace", every_s=0.1)
    finally:
        if _alive(worker):
            os.kill(worker, 9)


def test_no_watch_without_a_parent_pid(monkeypatch):
    from passaparola.parent_watch import watch_parent

    monkeypatch.delenv(PARENT_ENV, raising=False)
    assert watch_parent() is None
