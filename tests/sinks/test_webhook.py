"""The webhook notifier against the real Kafka and a local webhook endpoint: each alert
posted once, across retries and restarts; unreadable alerts dead-lettered."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core import kafka_clients
from core.topics import ensure_topics, read_to_end
from sinks.webhook import slack_message
from tests.support.net import Hook

pytestmark = pytest.mark.integration


def alert(n: int, severity: str = "high") -> dict:
    return {"id": f"alert-{n}", "kind": "volume_spike", "severity": severity, "brand": "aurora", "window": "1h",
            "summary": f"aurora: spike number {n}", "terms": ["addebito", "app"], "authors": ["@giulia"],
            "examples": [{"text": "Mi avete addebitato due volte!", "url": "https://x.example/1", "reach": 10}]}


def _send(settings, *values: bytes) -> None:
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for value in values:
            producer.send(settings.topics.alerts, key=b"aurora", value=value)


def _notify(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "passaparola", "alerts", "notify", "--idle-exit", "4"], env=env,
                          capture_output=True, text=True, timeout=120)


def test_each_alert_is_posted_once_across_retries_and_restarts(settings, worker_env):
    ensure_topics(settings)
    hook = Hook(failures=2)
    env = {**worker_env, "PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL": hook.url, "PASSAPAROLA_LOG_JSON": "false"}
    _send(settings, *[json.dumps(value).encode() for value in [alert(1), alert(2), alert(1), alert(3, severity="warning")]],
          b"{not an alert")

    done = _notify({**env, "PASSAPAROLA_ALERTS__WEBHOOK_MIN_SEVERITY": "high"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert [p["text"] for p in hook.posts] == [slack_message(alert(1))["text"], slack_message(alert(2))["text"]]
    assert "addebitato due volte" in hook.posts[0]["text"] and hook.url not in done.stderr + done.stdout
    reasons = [json.loads(value)["reason"]
               for _key, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.sink_dlq)]
    assert len(reasons) == 1 and reasons[0].startswith("not an alert")

    # The streams worker replays the same alerts after a crash; a fresh notifier group reads
    # everything again: nothing is posted twice.
    _send(settings, *[json.dumps(value).encode() for value in [alert(1), alert(2)]])
    again = _notify({**env, "PASSAPAROLA_KAFKA__CLIENT_ID": settings.kafka.client_id + "-fresh-group"})
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(hook.posts) == 3  # only alert-3 (warning, now allowed by the default minimum) is new
    assert hook.posts[-1]["text"] == slack_message(alert(3, severity="warning"))["text"]


def test_without_a_url_the_notifier_waits_saying_which_variable_to_set(worker_env):
    """Waiting, not exiting: under a supervisor an exit is a restart loop
    (tests/passaparola/cli/test_unconfigured_workers.py); --idle-exit ends the wait."""
    env = {k: v for k, v in worker_env.items() if k != "PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL"}
    done = _notify(env)
    assert done.returncode == 0 and "no webhook configured: waiting; set PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL" \
        in done.stderr
