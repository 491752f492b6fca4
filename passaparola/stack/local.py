"""The local stack as one thing: ``up`` starts what is not running and waits for health."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.settings import StackSettings
from passaparola.stack.elasticsearch import ElasticsearchNode
from passaparola.stack.kafka import KafkaBroker
from passaparola.stack.process import wait_until
from passaparola.stack.service import LocalService, ServiceStatus


class LocalStack:
    def __init__(self, settings: StackSettings, report: Callable[[str], None] = lambda _: None):
        self.settings = settings
        self.report = report
        self.kafka = KafkaBroker(settings)
        self.elasticsearch = ElasticsearchNode(settings)

    @property
    def services(self) -> list[LocalService]:
        return [self.kafka, self.elasticsearch]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Two `up`s at once (a developer and a test run) must not both format or start.
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.state_dir / "stack.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def up(self) -> dict[str, bool]:
        """Start every service not running yet, then wait until all are healthy.

        Returns which services this call started (all False: the stack was up already).
        """
        with self._locked():
            started = {}
            for service in self.services:
                begin = time.monotonic()
                started[service.name] = service.launch()
                if started[service.name]:
                    self.report(f"{service.name} {service.version} starting (installed in {time.monotonic() - begin:.1f} s)")
            # Both start in parallel; only now wait for each.
            for service in self.services:
                waited = wait_until(
                    service.healthy,
                    what=service.name,
                    timeout_s=self.settings.start_timeout_s,
                    log=service.log if service.log.exists() else service.home / "logs" / "launcher.log",
                    alive=service.alive,
                )
                if started[service.name]:
                    self.report(f"{service.name} healthy after {waited:.1f} s more")
            return started

    def down(self) -> list[str]:
        """Stop the services we started (by pid file); return the names stopped."""
        with self._locked():
            return [s.name for s in reversed(self.services) if s.process.stop()]

    def status(self) -> list[ServiceStatus]:
        return [s.status() for s in self.services]

    def logs(self) -> dict[str, Path]:
        return {s.name: s.log for s in self.services}

    def is_up(self) -> bool:
        return all(s.state == "healthy" for s in self.status())
