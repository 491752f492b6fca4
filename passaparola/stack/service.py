"""What the local Kafka broker and Elasticsearch node have in common: install, start, check, stop."""

from __future__ import annotations

import os
import subprocess
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from core.settings import StackSettings
from passaparola.stack.java import StackError, find_java_home
from passaparola.stack.maven import Maven
from passaparola.stack.process import ServiceProcess, port_open, spawn


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    version: str
    ports: dict[str, int]
    pid: int | None
    state: str  # "healthy", "unhealthy" (running but not answering) or "stopped"
    log: Path


class LocalService(ABC):
    """One service of the local stack; subclasses say how to install, configure and probe it."""

    name: str
    version: str

    def __init__(self, settings: StackSettings):
        self.settings = settings
        self.home = settings.state_dir / self.slug
        self._launcher: subprocess.Popen | None = None

    @property
    def slug(self) -> str:
        return self.name.lower()

    @cached_property
    def java_home(self) -> Path:
        return find_java_home(self.settings.java_home)

    @cached_property
    def maven(self) -> Maven:
        return Maven(self.settings.cache_dir, self.java_home)

    @property
    @abstractmethod
    def ports(self) -> dict[str, int]: ...

    @property
    @abstractmethod
    def log(self) -> Path: ...

    @property
    @abstractmethod
    def process(self) -> ServiceProcess: ...

    @abstractmethod
    def install(self) -> None:
        """Download and unpack into the cache, once per version."""

    @abstractmethod
    def prepare(self) -> None:
        """Write configuration and initialise storage under the state directory."""

    @abstractmethod
    def command(self) -> tuple[list[str], dict[str, str]]: ...

    @abstractmethod
    def healthy(self) -> bool: ...

    def launch(self) -> bool:
        """Start the service unless it runs already; True if it was started now."""
        if self.process.running():
            return False
        busy = [f"{what} port {port}" for what, port in self.ports.items() if port_open(port)]
        if busy:
            raise StackError(
                f"{self.name}: {', '.join(busy)} already in use by a process we did not start; "
                f"stop it or choose other ports (PASSAPAROLA_STACK__{self.slug.upper()}_PORT and friends)"
            )
        self.install()
        self.prepare()
        cmd, env = self.command()
        self._launcher = spawn(cmd, env={**os.environ, **env}, cwd=self.home, log=self.home / "logs" / "launcher.log")
        self.after_spawn(self._launcher)
        return True

    def after_spawn(self, launcher: subprocess.Popen) -> None:
        """Hook: record the pid when the launcher is the service itself."""

    def alive(self) -> bool:
        launcher_running = self._launcher is not None and self._launcher.poll() is None
        return launcher_running or self.process.running()

    def status(self) -> ServiceStatus:
        pid = self.process.pid()
        state = "stopped" if pid is None else ("healthy" if self.healthy() else "unhealthy")
        return ServiceStatus(self.name, self.version, self.ports, pid, state, self.log)
