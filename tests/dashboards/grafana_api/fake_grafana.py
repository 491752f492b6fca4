"""A Grafana HTTP API stand-in for the provisioning calls (see SOURCE.md beside it)."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    method: str
    path: str
    authorization: str | None
    body: object


@dataclass
class FakeGrafana:
    """Objects by kind and uid; every request recorded. ``token`` is the credential it accepts."""

    token: str
    version: str = "12.4.3"
    calls: list[Call] = field(default_factory=list)
    objects: dict[str, dict[str, object]] = field(default_factory=dict)
    # A fresh Grafana's root policy: everything to its default email contact point.
    policy_tree: dict = field(default_factory=lambda: {"receiver": "grafana-default-email",
                                                       "group_by": ["grafana_folder", "alertname"]})

    def start(self) -> FakeGrafana:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def made(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]


# (method, path pattern, kind, action): the uid is the pattern's group, or the body's "uid".
_ROUTES = [
    ("GET", r"/api/datasources/uid/([^/]+)", "datasource", "get"),
    ("PUT", r"/api/datasources/uid/([^/]+)", "datasource", "put"),
    ("POST", r"/api/datasources", "datasource", "create"),
    ("GET", r"/api/folders/([^/]+)", "folder", "get"),
    ("POST", r"/api/folders", "folder", "create"),
    ("POST", r"/api/dashboards/db", "dashboard", "save"),
    ("GET", r"/api/v1/provisioning/alert-rules/([^/]+)", "rule", "get"),
    ("PUT", r"/api/v1/provisioning/alert-rules/([^/]+)", "rule", "put"),
    ("POST", r"/api/v1/provisioning/alert-rules", "rule", "create"),
    ("GET", r"/api/v1/provisioning/contact-points", "contact", "list"),
    ("PUT", r"/api/v1/provisioning/contact-points/([^/]+)", "contact", "put"),
    ("POST", r"/api/v1/provisioning/contact-points", "contact", "create"),
    ("GET", r"/api/v1/provisioning/policies", "policy", "tree"),
    ("PUT", r"/api/v1/provisioning/policies", "policy", "tree"),
]


def _handler(grafana: FakeGrafana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            path = self.path.split("?", 1)[0]
            auth = self.headers.get("Authorization")
            grafana.calls.append(Call(self.command, path, auth, body))
            if auth != f"Bearer {grafana.token}":
                return self._reply(401, {"message": "Unauthorized"})
            if self.command == "GET" and path == "/api/frontend/settings":
                return self._reply(200, {"buildInfo": {"version": grafana.version}})
            for method, pattern, kind, action in _ROUTES:
                match = re.fullmatch(pattern, path)
                if method == self.command and match:
                    return self._act(kind, action, match.group(1) if match.groups() else None, body)
            return self._reply(404, {"message": "Not found"})

        def _act(self, kind: str, action: str, uid: str | None, body: object) -> None:
            store = grafana.objects.setdefault(kind, {})
            if action == "tree":  # one tree per organisation: read, or replaced whole
                if self.command == "PUT":
                    grafana.policy_tree = body
                    return self._reply(202, {"message": "policies updated"})
                return self._reply(200, grafana.policy_tree)
            if action == "list":
                return self._reply(200, list(store.values()))
            if action == "get":
                return self._reply(200, store[uid]) if uid in store else self._reply(404, {"message": f"{kind} not found"})
            if action == "save":  # a dashboard: created or overwritten by its own uid
                uid = body["dashboard"]["uid"]
                store[uid] = body
                return self._reply(200, {"uid": uid, "status": "success", "version": 1})
            if action == "put" and uid not in store:
                return self._reply(404, {"message": f"{kind} not found"})
            uid = uid or body.get("uid")
            store[uid] = body
            return self._reply({"create": 201 if kind == "rule" else 200, "put": 200}[action]
                               if kind != "contact" else 202, body)

        def _reply(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, *args: object) -> None:
            pass

    return Handler
