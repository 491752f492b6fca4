"""Background service processes tracked by pid file: start, find, wait for health, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from passaparola.stack.java import StackError


@dataclass(frozen=True)
class ServiceProcess:
    """A process we started, known by its pid file.

    ``marker`` must appear in the process's command line: a pid file that outlived a
    reboot can name a pid now used by someone else's process, and we never signal that.
    """

    name: str
    pidfile: Path
    marker: str

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if self.marker in _cmdline(pid) else None

    def running(self) -> bool:
        return self.pid() is not None

    def stop(self, timeout_s: float = 60.0) -> bool:
        """SIGTERM, then SIGKILL after ``timeout_s``; True if there was a process to stop."""
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return False
        _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.marker in _cmdline(pid):
            time.sleep(0.2)
        if self.marker in _cmdline(pid):
            _signal(pid, signal.SIGKILL)
            while self.marker in _cmdline(pid):
                time.sleep(0.1)
        self.pidfile.unlink(missing_ok=True)
        return True


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    # A zombie (exited, not yet reaped) has an empty command line: it counts as gone.
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def spawn(cmd: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """Start ``cmd`` detached from our session (it outlives the CLI) with output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} does not exist)"


def wait_until(
    healthy: Callable[[], bool],
    *,
    what: str,
    timeout_s: float,
    log: Path,
    alive: Callable[[], bool],
) -> float:
    """Poll ``healthy`` until true; fail early if the process died, or clearly on timeout."""
    start = time.monotonic()
    while True:
        if healthy():
            return time.monotonic() - start
        if not alive():
            raise StackError(f"{what} exited while starting; its log is {log}:\n{tail(log)}")
        if time.monotonic() - start > timeout_s:
            raise StackError(f"{what} not healthy after {timeout_s:.0f} s; see its log: {log}")
        time.sleep(0.5)
