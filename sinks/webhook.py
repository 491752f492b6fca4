"""Alerts to a chat webhook (Slack-compatible JSON), each alert posted once.

A :class:`~sinks.base.Sink` target for the sink loop (batches, commits after success,
dead-letters what it cannot read or the hook refuses, backs off while the hook is down).
Only a 2xx answer is a delivery: a redirect is not followed (the URL is a credential, and
the payload must not go where a 3xx points) and is retried until the URL is fixed; another
4xx dead-letters the alert with the status. A failing post is retried ``webhook_retries``
times with backoff (``Retry-After`` honoured) before the loop backs off as a whole.

Each delivered alert id goes to the compacted ``alerts.notified`` topic, and is read back at
start, so a restarted notifier (or an alert the streams worker replays after a crash) posts
nothing twice. A record that cannot be written yet is written before anything else is
posted, never by posting again. The one gap left is a crash between the hook's 2xx and that
record: the alert is posted again after the restart, with the same ``Idempotency-Key``
header (the alert id), by which a receiver can drop the copy.

The URL comes only from the environment (``PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL``): it
is a credential (anyone holding it can post to the channel), so it is never logged.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable

import httpx
from kafka import KafkaProducer
from kafka.errors import KafkaError

from core import kafka_clients
from core.retry_after import retry_after_s
from core.settings import Settings
from core.topics import read_to_end
from sinks.base import Record, Rejected, Sink, TransientError

log = logging.getLogger(__name__)
SEVERITIES = ("warning", "high", "critical")
_ICONS = {"warning": ":warning:", "high": ":rotating_light:", "critical": ":fire:"}


def slack_message(alert: dict) -> dict:
    """The message for one alert: a plain ``text`` (any Slack-compatible hook) plus blocks."""
    lines = [f"{_ICONS.get(alert.get('severity'), '')} *{alert.get('summary', alert.get('kind'))}*".strip()]
    if alert.get("terms"):
        lines.append("Talk is about: " + ", ".join(alert["terms"][:8]))
    if alert.get("authors"):
        lines.append("Top authors: " + ", ".join(alert["authors"][:5]))
    for example in (alert.get("examples") or [])[:3]:
        link = f" <{example['url']}|open>" if example.get("url") else ""
        lines.append(f"> {example.get('text', '')[:200]}{link}")
    text = "\n".join(lines)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


class WebhookSink(Sink):
    """Posts alerts of at least ``min_severity`` to ``url``.

    Args:
        settings: topics (alerts, alerts.notified), Kafka, timeout and retries.
        url: the webhook URL (from the environment).
        min_severity: warning, high or critical; lower alerts are acknowledged unposted.
        client: an httpx client to use (tests pass none; the default one has the timeout).
        sleep: how to wait between retries of a post.
    """

    def __init__(self, settings: Settings, url: str, min_severity: str = "warning", client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        if min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {', '.join(SEVERITIES)}")
        self.settings, self.url = settings, url
        self.min_rank = SEVERITIES.index(min_severity)
        self.client = client or httpx.Client(timeout=settings.alerts.webhook_timeout_s, follow_redirects=False)
        self.topic = settings.topics.alerts_notified
        self.posted: set[str] = set()
        self._unrecorded: list[str] = []  # delivered, not yet on alerts.notified
        self._sleep = sleep
        self._producer: KafkaProducer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookSink:
        secret = settings.secrets.alert_webhook_url
        if secret is None:
            raise ValueError("no webhook URL: set PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL")
        return cls(settings, secret.get_secret_value(), settings.alerts.webhook_min_severity)

    def setup(self) -> None:
        # No linger: each posted id is written, and waited for, right after its post.
        self._producer = kafka_clients.producer(self.settings.kafka, "alerts-notified", linger_ms=0)
        self.posted = self._read_posted()
        log.info("webhook notifier ready", extra={"already_posted": len(self.posted)})

    def _read_posted(self) -> set[str]:
        # errors="replace": a key that is not UTF-8 (someone else's record) cannot be one
        # of our alert ids, and must not stop the notifier at start (guarded by
        # tests/faults/test_poison.py::test_webhook_notifier_dead_letters_poison_alerts_and_goes_on).
        posted = read_to_end(self.settings.kafka, self.topic)
        return {key.decode(errors="replace") for key, _ in posted if key}

    def write(self, batch: list[Record]) -> list[Rejected]:
        self._record_delivered()  # what an earlier try delivered comes first
        rejected = []
        for record in batch:
            try:
                alert = json.loads(record.value)
                alert_id, severity = alert["id"], alert["severity"]
                # Checked here, with the message built here too, so that an id that is not a
                # string, an unknown severity or a field of the wrong type rejects the record
                # instead of raising further down (SEVERITIES.index, .encode(), the message's
                # joins) and stopping the notifier on the same alert at every restart
                # (guarded by tests/faults/test_poison.py).
                if not isinstance(alert_id, str) or not alert_id:
                    raise ValueError(f"id {alert_id!r} is not a non-empty string")
                if severity not in SEVERITIES:
                    raise ValueError(f"severity {severity!r} is none of {', '.join(SEVERITIES)}")
                message = slack_message(alert)
            except (ValueError, KeyError, TypeError, AttributeError) as err:
                # Not repr(err): a UnicodeDecodeError's repr holds the whole message.
                rejected.append(Rejected(record, f"not an alert: {type(err).__name__}: {err}"))
                continue
            if alert_id in self.posted or SEVERITIES.index(severity) < self.min_rank:
                continue
            refused = self._post(alert_id, message)
            if refused:
                rejected.append(Rejected(record, refused))
                continue
            self.posted.add(alert_id)
            self._unrecorded.append(alert_id)
            self._record_delivered()
        return rejected

    def _record_delivered(self) -> None:
        """Write the ids delivered but not yet recorded; TransientError if Kafka cannot take
        them now (the batch is tried again, and these ids, already in ``posted``, are not
        posted again)."""
        while self._unrecorded:
            alert_id = self._unrecorded[0]
            try:
                self._producer.send(self.topic, key=alert_id.encode(), value=b"1").get(timeout=30)
            except KafkaError as err:
                raise TransientError(f"alert {alert_id} was delivered but not recorded yet: {type(err).__name__}") from None
            self._unrecorded.pop(0)

    def _post(self, alert_id: str, message: dict) -> str | None:
        """Post until a 2xx (None) or a refusal (its reason, for the dead letter); after the
        retries, or on a redirect, :class:`TransientError`."""
        retries = self.settings.alerts.webhook_retries
        for attempt in range(retries + 1):
            wait = min(30.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
            try:
                response = self.client.post(self.url, json=message, headers={"Idempotency-Key": alert_id})
            except httpx.TransportError as err:
                problem = f"webhook unreachable: {type(err).__name__}"
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return None
                if 300 <= status < 400:
                    raise TransientError(f"webhook answered HTTP {status}, a redirect: not followed, set the new URL")
                if status != 429 and status < 500:
                    log.error("webhook refused an alert", extra={"alert_id": alert_id, "status": status})
                    return f"webhook refused the alert: HTTP {status}"
                problem = f"webhook answered HTTP {status}"
                asked = retry_after_s(response.headers)
                wait = wait if asked is None else min(60.0, asked)  # a receiver may not park the notifier
            if attempt < retries:
                self._sleep(wait)
        raise TransientError(problem)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
        self.client.close()
