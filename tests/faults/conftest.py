"""Fixtures of the fault-injection suite: services of a module's own, workers as deployed.

A test that stops a broker or fills a disk must not do it to the session's Kafka and
Elasticsearch, which every other test uses. ``own_kafka`` and ``own_elasticsearch`` start a
broker or a node beside them, from the same cached download, with free ports and a state
directory of their own, once per module; stopping and starting them again keeps their data
directory, as a real restart would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.settings import Settings
from passaparola.demo.pipeline import die_with_parent
from passaparola.stack.elasticsearch import ElasticsearchNode
from passaparola.stack.kafka import KafkaBroker
from passaparola.stack.process import tail
from passaparola.stack.process import wait_until as wait_healthy
from passaparola.stack.service import LocalService
from tests.support.net import free_port
from tests.support.waits import wait_until


@dataclass
class OwnService:
    """A service of the local stack that belongs to one test module: start, stop, start again."""

    service: LocalService
    what: str

    def start(self) -> None:
        self.service.launch()
        wait_healthy(self.service.healthy, what=self.what, timeout_s=180, log=self.service.log, alive=self.service.alive)

    def stop(self) -> None:
        assert self.service.process.stop(), f"{self.what} was not running"


@pytest.fixture(scope="module")
def own_kafka(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """A Kafka broker for one module (KRaft, combined broker and controller, 512 MB heap)."""
    stack = base_settings.stack.model_copy(update={
        "state_dir": tmp_path_factory.mktemp("kafka-state"), "kafka_port": free_port(), "kafka_controller_port": free_port(),
    })
    own = OwnService(KafkaBroker(stack), "own Kafka")
    own.start()
    yield own
    own.service.process.stop()


@pytest.fixture(scope="module")
def own_elasticsearch(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """An Elasticsearch node for one module."""
    stack = base_settings.stack.model_copy(update={
        "state_dir": tmp_path_factory.mktemp("es-state"), "elasticsearch_port": free_port(),
        "elasticsearch_transport_port": free_port(),
    })
    own = OwnService(ElasticsearchNode(stack), "own Elasticsearch")
    own.start()
    yield own
    own.service.process.stop()


@dataclass
class Workers:
    """Worker subprocesses started as deployed (``python -m passaparola ...``), each logging to
    a file; every one still running at the end of the test is stopped (SIGTERM, then SIGKILL).

    A worker SIGKILLed on purpose (:meth:`kill`) is no longer expected to run; its
    replacement (:meth:`restart`) is tracked like any other. A one-shot command (a replay,
    started with ``finishes_with``) may finish, but only with that exit code.
    """

    folder: Path
    started: list[tuple[subprocess.Popen, Path]] = field(default_factory=list)
    killed: list[subprocess.Popen] = field(default_factory=list)
    one_shots: dict[subprocess.Popen, int] = field(default_factory=dict)  # -> the exit code it may end with
    _commands: dict[subprocess.Popen, tuple[str, list[str], dict[str, str]]] = field(default_factory=dict)

    def start(self, name: str, args: list[str], env: dict[str, str], finishes_with: int | None = None) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        with open(log, "ab") as out:
            # Stopped by Linux too if pytest itself is killed (a timeout) before its clean-up.
            proc = subprocess.Popen([sys.executable, "-m", "passaparola", *args], env=env, stdout=out,
                                    stderr=subprocess.STDOUT, preexec_fn=die_with_parent if sys.platform == "linux" else None)
        self.started.append((proc, log))
        self._commands[proc] = (name, args, env)
        if finishes_with is not None:
            self.one_shots[proc] = finishes_with
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no handler runs, nothing is flushed."""
        assert proc.poll() is None, f"worker {proc.args[3:]} was not running when it was to be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        self.killed.append(proc)

    def restart(self, proc: subprocess.Popen) -> subprocess.Popen:
        """The same command again, appending to the same log (as a supervisor would restart it)."""
        name, args, env = self._commands[proc]
        with open(self.folder / f"{name}.log", "ab") as out:
            out.write(f"\n=== restarted by the test after pid {proc.pid} exited with {proc.returncode} ===\n".encode())
        return self.start(name, args, env, finishes_with=self.one_shots.get(proc))

    def log_of(self, proc: subprocess.Popen) -> str:
        (log,) = [log for p, log in self.started if p is proc]
        return tail(log, 40)

    def assert_alive(self, *procs: subprocess.Popen) -> None:
        """The given workers, or else every worker not killed on purpose, still run (one-shots: or ended well)."""
        expected = procs or [p for p, _ in self.started if p not in self.killed and p not in self.one_shots]
        for proc in expected:
            assert proc.poll() is None, f"worker {proc.args[3:]} exited with {proc.returncode}:\n{self.log_of(proc)}"
        if not procs:
            for proc, code in self.one_shots.items():
                assert proc in self.killed or proc.poll() in (None, code), \
                    f"{proc.args[3:]} exited with {proc.returncode}:\n{self.log_of(proc)}"

    def wait_for(self, condition: Callable[[], bool], timeout_s: float, what: str, every_s: float = 0.5) -> None:
        """Poll ``condition`` until true, failing at once if a worker died meanwhile."""

        def alive_and() -> bool:
            self.assert_alive()
            return condition()

        wait_until(alive_and, timeout_s, what, every_s=every_s)

    def wait_pending(self, pending: Callable[[], list[str]], timeout_s: float, what: str, every_s: float = 2.0) -> None:
        """Like :meth:`wait_for`; ``pending`` names what is not done yet, and the failure says it."""
        left: list[str] = []

        def done() -> bool:
            left[:] = pending()
            return not left

        try:
            self.wait_for(done, timeout_s, what, every_s)
        except AssertionError as err:
            raise AssertionError(f"{err}; still pending: {left}") from None

    def stop_all(self) -> None:
        for proc, _ in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc, _ in self.started:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def workers(tmp_path: Path):
    running = Workers(tmp_path)
    yield running
    running.stop_all()
