"""What counts as delivered, against a local webhook: only 2xx; retries with backoff; a
redirect is not followed; a refusal is dead-lettered; a delivery Kafka could not record yet
is recorded before anything is posted again, and never posted twice. (No Kafka here: the
record topic's producer is a stand-in that fails on demand; tests/sinks/test_webhook.py
runs the notifier against the real broker.)"""

from __future__ import annotations

import json

import pytest
from kafka.errors import KafkaTimeoutError

from core.settings import Settings
from sinks.base import Record, TransientError
from sinks.webhook import WebhookSink
from tests.support.net import Hook


class _Recorded:
    def __init__(self, fail: bool):
        self.fail = fail

    def get(self, timeout: float) -> None:
        if self.fail:
            raise KafkaTimeoutError("no broker")


class _NotifiedTopic:
    """Takes the alerts.notified records; ``failing`` sends time out."""

    def __init__(self):
        self.failing, self.ids = 0, []

    def send(self, topic: str, key: bytes, value: bytes) -> _Recorded:
        if self.failing:
            self.failing -= 1
            return _Recorded(fail=True)
        self.ids.append(key.decode())
        return _Recorded(fail=False)


def _sink(hook: Hook, retries: int = 2) -> tuple[WebhookSink, list[float], _NotifiedTopic]:
    waits: list[float] = []
    sink = WebhookSink(Settings(alerts={"webhook_retries": retries}), hook.url, sleep=waits.append)
    sink._producer = topic = _NotifiedTopic()
    return sink, waits, topic


def _records(*ids: str) -> list[Record]:
    alerts = [{"id": i, "kind": "volume_spike", "severity": "high", "summary": f"spike {i}"} for i in ids]
    return [Record(topic="alerts", partition=0, offset=n, key=b"b", value=json.dumps(a).encode())
            for n, a in enumerate(alerts)]


def test_failures_are_retried_with_backoff_and_the_post_carries_its_idempotency_key():
    hook = Hook(statuses=[503, 429])
    sink, waits, topic = _sink(hook)
    assert sink.write(_records("a-1")) == []
    assert len(hook.posts) == 1 and hook.keys == ["a-1"] and topic.ids == ["a-1"]
    assert len(waits) == 2 and 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0


def test_after_the_retries_the_notifier_backs_off_with_nothing_delivered():
    hook = Hook(statuses=[503, 503, 503])
    sink, waits, topic = _sink(hook, retries=2)
    with pytest.raises(TransientError, match="HTTP 503"):
        sink.write(_records("a-1"))
    assert hook.posts == [] and topic.ids == [] and len(waits) == 2


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_a_delivery(status):
    hook = Hook(statuses=[status])
    sink, _waits, topic = _sink(hook)
    with pytest.raises(TransientError, match=f"HTTP {status}, a redirect: not followed"):
        sink.write(_records("a-1"))
    assert topic.ids == [] and "a-1" not in sink.posted
    assert sink.write(_records("a-1")) == [] and len(hook.posts) == 1  # once the hook answers 200


def test_a_refusal_is_dead_lettered_with_its_status():
    hook = Hook(statuses=[404])
    sink, _waits, topic = _sink(hook)
    [rejected] = sink.write(_records("a-1", "a-2"))
    assert rejected.record.offset == 0 and rejected.reason == "webhook refused the alert: HTTP 404"
    assert topic.ids == ["a-2"] and hook.keys == ["a-2"]


def test_a_delivery_kafka_cannot_record_yet_is_recorded_on_the_next_try_not_posted_again():
    hook = Hook()
    sink, _waits, topic = _sink(hook)
    topic.failing = 1
    with pytest.raises(TransientError, match="a-1 was delivered but not recorded yet"):
        sink.write(_records("a-1", "a-2"))
    assert hook.keys == ["a-1"]
    assert sink.write(_records("a-1", "a-2")) == []  # the sink loop tries the batch again
    assert hook.keys == ["a-1", "a-2"] and topic.ids == ["a-1", "a-2"]
