"""The streams worker's health check: 200 while its Faust app runs, 503 once it crashed or
stopped (a supervisor then restarts the worker)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from core.metrics import serve
from core.settings import Settings
from streams.app import create_app
from streams.operability import healthy


def _status(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def app(tmp_path):
    settings = Settings(stack={"state_dir": tmp_path}, kafka={"bootstrap_servers": "127.0.0.1:1"})
    return create_app(settings)


@pytest.fixture
def health_port(app):
    server = serve(0, healthy=lambda: healthy(app))
    yield server.server_address[1]
    server.shutdown()


def test_healthz_fails_once_the_app_crashed(app, health_port):
    assert _status(health_port) == 200
    app._crash(RuntimeError("an agent died"))  # what mode does when a service crashes
    assert _status(health_port) == 503


def test_healthz_fails_once_the_app_is_stopping(app, health_port):
    assert _status(health_port) == 200
    app._stopped.set()
    assert _status(health_port) == 503
