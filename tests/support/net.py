"""Local network stand-ins: a free port, a chat webhook that records what it is sent."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server the test starts next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Hook:
    """A chat webhook stand-in: records posts (and each post's ``Idempotency-Key`` in
    ``keys``); answers the first ``failures`` with 503, then ``statuses`` in order (a 3xx with
    a Location), then 200. Only a 200 counts as a post."""

    def __init__(self, failures: int = 0, statuses: list[int] | None = None):
        self.posts: list[dict] = []
        self.keys: list[str | None] = []
        self.answers = [503] * failures + list(statuses or [])
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = hook.answers.pop(0) if hook.answers else 200
                if status == 200:
                    hook.posts.append(json.loads(body))
                    hook.keys.append(self.headers.get("Idempotency-Key"))
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
