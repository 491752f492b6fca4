"""The local replay server the connector tests talk to, instead of the real APIs.

A real HTTP server on 127.0.0.1 (a thread, one per test) that answers each request from
routes a test registers: a path, optionally the query parameters that must be present, and
one or more recorded responses played in order (the last one repeats), so a test can serve
a 429 then the page, or page 1 then page 2 by cursor parameter. Every request is recorded
(path, query, headers) for assertions about pagination, auth headers and conditional GET.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # a slow API: lets a test kill a worker in the middle of a run


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Route:
    path: str
    query: dict[str, str]
    replies: list[Reply]
    served: int = 0

    def matches(self, path: str, query: dict[str, str]) -> bool:
        return path == self.path and all(query.get(k) == v for k, v in self.query.items())

    def next(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


class ReplayServer:
    """Routes recorded responses; ``url`` is its base, e.g. ``http://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server._answer(self)

            def do_POST(self) -> None:  # noqa: N802
                server._answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def route(self, path: str, *replies: Reply | bytes | str | dict | list, query: dict[str, str] | None = None) -> None:
        """Serve ``replies`` in order at ``path`` (when ``query`` params match); newest route wins."""
        as_replies = [_as_reply(r) for r in replies] or [Reply()]
        with self._lock:
            self.routes.insert(0, _Route(path, dict(query or {}), as_replies))

    def requests(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if path is None or s.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        with self._lock:
            self.seen.append(Seen(handler.command, parts.path, query, {k.lower(): v for k, v in handler.headers.items()}))
            route = next((r for r in self.routes if r.matches(parts.path, query)), None)
            reply = route.next() if route else Reply(404, b'{"error": "no route in the replay server"}')
        if reply.delay_s:
            time.sleep(reply.delay_s)  # a slow server is the scenario
        handler.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for name, value in headers.items():
            handler.send_header(name, value)
        if "Content-Length" not in reply.headers:
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if handler.command != "HEAD" and reply.status != 304:
            try:
                handler.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client went away (a killed worker): nothing to answer

    # Tests reach these through the fixture (conftest modules are not importable).
    Reply = Reply
    load_bytes = staticmethod(lambda *parts: fixture_bytes(*parts))
    load_json = staticmethod(lambda *parts: fixture_json(*parts))

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _as_reply(value: Any) -> Reply:
    if isinstance(value, Reply):
        return value
    if isinstance(value, bytes):
        return Reply(body=value)
    if isinstance(value, str):
        return Reply(body=value.encode())
    return Reply(body=json.dumps(value).encode())


def fixture_bytes(*parts: str) -> bytes:
    """A recorded body under ``tests/fixtures/`` (e.g. ``fixture_bytes("x", "search_page1.json")``)."""
    return FIXTURES.joinpath(*parts).read_bytes()


def fixture_json(*parts: str) -> Any:
    return json.loads(fixture_bytes(*parts))


@pytest.fixture
def replay() -> ReplayServer:
    server = ReplayServer()
    yield server
    server.close()


@pytest.fixture
def elsewhere() -> ReplayServer:
    """A second server: another origin (another port), say an internal service."""
    server = ReplayServer()
    yield server
    server.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@dataclass
class Harvest:
    """What one connector run gave: mentions, problems, checkpoints, and the HTTP waits."""

    mentions: list
    problems: list
    checkpoints: list
    waits: list[float]
    error: Exception | None = None

    @property
    def cursor(self) -> dict:
        return self.checkpoints[-1].cursor if self.checkpoints else {}


@pytest.fixture
def harvest():
    """``harvest(ConnectorClass, source, cursor={}, brands=[], secrets=None, **ingest)`` runs a
    connector to the end against whatever URL ``source`` names, without sleeping (the waits
    the HTTP client asked for are recorded in ``waits``), and returns a :class:`Harvest`.
    An :class:`~ingest.http.HttpProblem` that ends the run is kept in ``error``."""
    import asyncio

    from core.schema import Mention
    from core.settings import IngestSettings, Secrets
    from ingest.connectors.base import Checkpoint, Problem, SourceContext
    from ingest.http import HttpClient, HttpProblem

    def run(connector_cls, source, cursor=None, brands=(), secrets=None, **ingest):
        waits: list[float] = []

        async def no_sleep(seconds: float) -> None:
            waits.append(seconds)

        async def go() -> Harvest:
            settings = IngestSettings(**{"backoff_s": 0.01, "retries": 3, **ingest})
            context = SourceContext(source, list(brands), secrets or Secrets())
            found = Harvest([], [], [], waits)
            async with HttpClient(source.name, settings, sleep=no_sleep) as http:
                try:
                    async for item in connector_cls(context, http).fetch(dict(cursor or {})):
                        if isinstance(item, Mention):
                            found.mentions.append(item)
                        elif isinstance(item, Problem):
                            found.problems.append(item)
                        elif isinstance(item, Checkpoint):
                            found.checkpoints.append(item)
                        else:
                            raise TypeError(f"connector yielded {item!r}")
                except HttpProblem as err:
                    found.error = err
            return found

        return asyncio.run(go())

    return run
