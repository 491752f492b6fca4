"""Poison messages on every topic a worker consumes: not JSON, JSON of the wrong shape,
binary, oversized (about 1 MB, the broker's limit), tombstones, keys and headers that make
no sense, each between good messages.

The project's rule: a message a worker cannot use goes to its dead-letter topic with the
reason, and the worker keeps running. So for every topic a worker reads, each poison
message must come back as a dead letter (``mentions.dlq`` for the streams worker,
``sink.dlq`` for the sink and the webhook notifier) naming that topic and offset, the
worker must still be running, and the good messages sent after the poison must have gone
through. Workers run as deployed (``python -m passaparola ...``) against the session's
Kafka and Elasticsearch, on topics and indices of the test's own.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from core import kafka_clients
from core.elastic import connect
from core.schema import Author, Mention, Sentiment
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from sinks.elasticsearch import alias
from sinks.webhook import slack_message
from streams.alerts.agent import SOURCE_HEADER
from streams.app import app_id
from tests.support.elastic import indexed
from tests.support.kafka import lag
from tests.support.net import Hook

pytestmark = [pytest.mark.integration, pytest.mark.faults]

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
BRANDS = json.dumps([{"name": "acme", "query": "acme"}])
# Below the producers' 1 MiB request limit and the broker's default message.max.bytes.
OVERSIZED = 1_000_000


def common_poison() -> dict[str, bytes | None]:
    """What can turn up on any of our topics, written by a buggy or foreign producer."""
    return {
        "not JSON": b"{this is not JSON",
        "JSON array": b"[1, 2, 3]",
        "JSON string": b'"just a string"',
        "JSON null": b"null",
        "object of the wrong shape": b'{"hello": "world", "brands": "acme"}',
        "binary": bytes(range(256)) * 8,
        # Random bytes: once decoded leniently and JSON-escaped, several times their size.
        "oversized binary": random.Random(5).randbytes(OVERSIZED),
        "oversized text": b'{"text": "' + b"a" * OVERSIZED,
        "tombstone": None,
    }


def mention(n: int, **fields) -> Mention:
    defaults = dict(platform="mastodon", native_id=f"m{n}", source="poison", author=Author(id=f"u{n % 7}", followers=n),
                    text=f"acme non funziona, nessuno risponde? numero {n}", published_at=T0 + timedelta(minutes=n))
    return Mention(**{**defaults, **fields})


def enriched(n: int, **fields) -> Mention:
    """A mention as the enrichment step writes it: a complaint about acme."""
    return mention(n, **{"brand": "acme", "brands": ["acme"], "intent": "complaint", "keywords": ["acme"],
                         "sentiment": Sentiment(score=-0.6, label="negative", method="test"), **fields})


def year_one() -> bytes:
    """Valid JSON, a plausible mention, but a date that overflows once moved to UTC."""
    doc = json.loads(mention(0).to_json())
    doc.update(native_id="year-one", published_at="0001-01-01T00:30:00+01:00")
    return json.dumps(doc).encode()


class Producer:
    """Sends and remembers where each poison message landed (topic, partition, offset)."""

    def __init__(self, settings: Settings):
        # Uncompressed: the oversized poison reaches the broker at its full size.
        self.kafka = kafka_clients.producer(settings.kafka, "test-poison", linger_ms=5, max_request_size=OVERSIZED + 48_000,
                                            compression_type=None)
        self.poison: dict[tuple[str, int, int], str] = {}

    def send(self, topic: str, value: bytes | None, key: bytes | None = b"thread", headers=None) -> None:
        self.kafka.send(topic, key=key, value=value, headers=headers or []).get(timeout=30)

    def send_poison(self, topic: str, what: str, value: bytes | None, key: bytes | None = b"thread", headers=None) -> None:
        meta = self.kafka.send(topic, key=key, value=value, headers=headers or []).get(timeout=30)
        self.poison[(topic, meta.partition, meta.offset)] = what

    def good(self, topic: str, mentions: list[Mention], key=lambda m: m.thread_id.encode(), headers=None) -> None:
        for m in mentions:
            self.kafka.send(topic, key=key(m), value=m.to_json(), headers=headers or [])
        self.kafka.flush()

    def close(self) -> None:
        self.kafka.close()


def letters(settings: Settings, dlq: str) -> dict[tuple[str, int, int], dict]:
    found = {}
    for _, value in read_to_end(settings.kafka.bootstrap_servers, dlq):
        letter = json.loads(value)
        letter["record_bytes"] = len(value)
        found[(letter["topic"], letter["partition"], letter["offset"])] = letter
    return found


def assert_dead_lettered(poison: dict[tuple[str, int, int], str], found: dict[tuple[str, int, int], dict],
                         workers: set[str]) -> None:
    missing = {where: what for where, what in poison.items() if where not in found}
    assert not missing, f"poison not dead-lettered: {missing}"
    for where, what in poison.items():
        letter = found[where]
        assert letter["worker"] in workers and letter["reason"], (what, letter)
        assert letter["record_bytes"] < 1_000_000, what  # it fitted in Kafka: nothing was lost on the way
    unexpected = {where: letter["reason"] for where, letter in found.items() if where not in poison}
    assert not unexpected, f"good messages dead-lettered: {unexpected}"


def _ids_on(settings: Settings, topic: str) -> set[str]:
    ids = set()
    for _, value in read_to_end(settings.kafka.bootstrap_servers, topic):
        try:
            ids.add(json.loads(value)["id"])
        except (TypeError, ValueError, KeyError):
            pass
    return ids


def test_streams_worker_dead_letters_poison_on_each_of_its_topics_and_goes_on(settings: Settings, worker_env, workers):
    """mentions.raw (enrichment), mentions.enriched (reply tracker, spike routing),
    replies.ticks (reply tracker) and mentions.by_brand (spike detector)."""
    ensure_topics(settings)
    t = settings.topics
    env = {**worker_env, "PASSAPAROLA_BRANDS": BRANDS, "PASSAPAROLA_REPLIES__TICK_S": "3600"}
    producer = Producer(settings)
    raw_before, raw_after = [mention(i) for i in range(0, 20)], [mention(i) for i in range(20, 40)]
    enr_before, enr_after = [enriched(i) for i in range(100, 120)], [enriched(i) for i in range(120, 140)]
    # Mentions routed by brand: the detector's watermark for brand "zeta" must reach the last one.
    source = [(SOURCE_HEADER, b"0")]
    zeta_before = [enriched(i, brands=["zeta"]) for i in range(200, 210)]
    zeta_after = [enriched(i, brands=["zeta"]) for i in range(210, 220)]

    producer.good(t.mentions_raw, raw_before)
    producer.good(t.mentions_enriched, enr_before)
    producer.good(t.mentions_by_brand, zeta_before, key=lambda m: b"zeta", headers=source)
    worker = workers.start("streams", ["streams", "worker"], env)
    # The reply tracker holds open complaints for the first enriched batch: ticks can now make them due.
    workers.wait_for(lambda: {m.id for m in enr_before} <= _ids_on(settings, t.replies), 120, "pending events")

    # Valid mentions past kafka.max_message_bytes and Faust's own producer limit: they crashed
    # the agent, and the group committed past them and the good mentions after them.
    oversize = {"oversize valid mention": mention(90, text="acme " * 202_000).to_json()}
    for what, value in {**common_poison(), "year one": year_one(), **oversize}.items():
        producer.send_poison(t.mentions_raw, what, value)
    oversize = {"oversize valid mention": enriched(190, text="acme " * 202_000).to_json()}
    for what, value in {**common_poison(), "year one": year_one(), **oversize}.items():
        producer.send_poison(t.mentions_enriched, what, value)
    producer.send_poison(t.mentions_enriched, "no key", enriched(150).to_json(), key=None)
    thread = enr_before[0].thread_id.encode()  # a thread with an open item: a bad clock reading would be compared
    ticks = {**common_poison(), "now not a date": b'{"now": 5}', "now without a zone": b'{"now": "2026-03-20T10:00:00"}',
             "now not ISO": b'{"now": "yesterday"}'}
    for what, value in ticks.items():
        producer.send_poison(t.reply_ticks, what, value, key=thread)
    producer.send_poison(t.reply_ticks, "tick of an undecodable thread", b'{"now": "2026-03-20T10:00:00+00:00"}',
                         key=b"\xff\xfe")
    for what, value in {**common_poison(), "year one": year_one()}.items():
        producer.send_poison(t.mentions_by_brand, what, value, key=b"zeta", headers=source)
    producer.send_poison(t.mentions_by_brand, "no key", zeta_before[0].to_json(), key=None, headers=source)
    producer.send_poison(t.mentions_by_brand, "binary key", zeta_before[0].to_json(), key=b"\xff\xfe", headers=source)
    producer.send_poison(t.mentions_by_brand, "bad source header", zeta_before[0].to_json(), key=b"zeta",
                         headers=[(SOURCE_HEADER, b"not a number")])

    producer.good(t.mentions_raw, raw_after)
    producer.good(t.mentions_enriched, enr_after)
    producer.send(t.reply_ticks, json.dumps({"now": (T0 + timedelta(days=5)).isoformat()}).encode(), key=thread)
    producer.good(t.mentions_by_brand, zeta_after, key=lambda m: b"zeta", headers=source)
    producer.close()

    def pending() -> list[str]:
        events = [json.loads(v) for _, v in read_to_end(settings.kafka.bootstrap_servers, t.replies)]
        marks = read_to_end(settings.kafka.bootstrap_servers, f"{app_id(settings)}-spike-marks-changelog")
        checks = {
            "enrichment after the poison": {m.id for m in raw_before + raw_after} <= _ids_on(settings, t.mentions_enriched),
            "reply tracker after the poison": {m.id for m in enr_after} <= {e["id"] for e in events},
            "the good tick after the poison": any(e["kind"] == "unanswered" and e["id"] == enr_before[0].id for e in events),
            "routing by brand after the poison": {m.id for m in enr_after} <= _ids_on(settings, t.mentions_by_brand),
            "the detector after the poison": any(
                k == b"zeta" and v and zeta_after[-1].published_at.isoformat().encode() in v for k, v in marks),
            "every poison message dead-lettered": set(producer.poison) <= set(letters(settings, t.mentions_dlq)),
        }
        # ... and committed past, or a restarted worker would meet the same poison again.
        for topic in (t.mentions_raw, t.mentions_enriched, t.reply_ticks, t.mentions_by_brand):
            checks[f"{topic} committed to its end"] = lag(settings, app_id(settings), topic) == 0
        return [what for what, ok in checks.items() if not ok]

    workers.wait_pending(pending, 120, "good messages after the poison processed and poison dead-lettered")
    workers.assert_alive(worker)
    assert_dead_lettered(producer.poison, letters(settings, t.mentions_dlq), {"streams", "replies", "alerts"})
    assert "crashed" not in (workers.folder / "streams.log").read_text().lower()


def test_sink_dead_letters_poison_on_each_of_its_topics_and_goes_on(settings: Settings, worker_env, workers):
    """mentions.enriched, replies and alerts, into Elasticsearch."""
    ensure_topics(settings)
    t = settings.topics
    producer = Producer(settings)
    before, after = [enriched(i) for i in range(0, 50)], [enriched(i) for i in range(50, 100)]
    reply = lambda n: {"id": f"reply-{n}", "kind": "pending", "event_at": (T0 + timedelta(minutes=n)).isoformat(),  # noqa: E731
                       "brand": "acme", "intent": "complaint"}
    alert = lambda n: {"id": f"alert-{n}", "kind": "volume_spike", "severity": "high", "brand": "acme",  # noqa: E731
                       "window": "1h", "at": (T0 + timedelta(hours=n)).isoformat()}
    producer.good(t.mentions_enriched, before)
    for n in range(5):
        producer.send(t.replies, json.dumps(reply(n)).encode())
        producer.send(t.alerts, json.dumps(alert(n)).encode(), key=b"acme")

    events = {"no id": b'{"event_at": "2026-03-02T09:00:00+00:00"}', "id not a string": b'{"id": 5}',
              "no time": b'{"id": "x1"}', "time not ISO": b'{"id": "x2", "event_at": "soon", "at": "soon"}',
              "year one": b'{"id": "x3", "event_at": "0001-01-01T00:30:00+01:00", "at": "0001-01-01T00:30:00+01:00"}',
              "field the mapping refuses": b'{"id": "x4", "event_at": "2026-03-02T09:00:00+00:00", '
                                           b'"at": "2026-03-02T09:00:00+00:00", "surprise": 1}'}
    for what, value in {**common_poison(), "year one": year_one()}.items():
        producer.send_poison(t.mentions_enriched, what, value)
    for topic in (t.replies, t.alerts):
        for what, value in {**common_poison(), **events}.items():
            producer.send_poison(topic, what, value)
    producer.good(t.mentions_enriched, after)
    for n in range(5, 10):
        producer.send(t.replies, json.dumps(reply(n)).encode())
        producer.send(t.alerts, json.dumps(alert(n)).encode(), key=b"acme")
    producer.close()

    es, prefix = connect(settings), settings.elasticsearch.index_prefix
    sink = workers.start("sink", ["sink", "run"], worker_env)

    def done() -> bool:
        return ((indexed(es, prefix, "mentions"), indexed(es, prefix, "replies"), indexed(es, prefix, "alerts")) == (100, 10, 10)
                and set(producer.poison) <= set(letters(settings, t.sink_dlq)))

    workers.wait_for(done, 120, "good documents indexed and poison dead-lettered")
    workers.assert_alive(sink)
    assert_dead_lettered(producer.poison, letters(settings, t.sink_dlq), {"sink"})
    ids = {h["_id"] for h in es.search(index=alias(prefix), size=200, source=False)["hits"]["hits"]}
    assert ids == {m.id for m in before + after}


def test_webhook_notifier_dead_letters_poison_alerts_and_goes_on(settings: Settings, worker_env, workers):
    ensure_topics(settings)
    t = settings.topics
    hook = Hook()
    producer = Producer(settings)
    alert = lambda n: {"id": f"alert-{n}", "kind": "volume_spike", "severity": "high", "brand": "acme",  # noqa: E731
                       "summary": f"acme: spike {n}", "terms": ["app"], "authors": ["@giulia"],
                       "examples": [{"text": "non va", "url": "https://x.example/1"}]}
    for n in range(3):
        producer.send(t.alerts, json.dumps(alert(n)).encode(), key=b"acme")
    wrong = {"unknown severity": {"id": "w1", "severity": "apocalyptic"},
             "id not a string": {"id": 5, "severity": "high"},
             "terms not a list": {"id": "w2", "severity": "high", "terms": 5},
             "examples not objects": {"id": "w3", "severity": "high", "examples": ["just text"]},
             "summary an object": {"id": "w4", "severity": "high", "summary": {"a": 1}, "authors": [1, 2]}}
    for what, value in {**common_poison(), **{k: json.dumps(v).encode() for k, v in wrong.items()}}.items():
        producer.send_poison(t.alerts, what, value, key=b"acme")
    for n in range(3, 6):
        producer.send(t.alerts, json.dumps(alert(n)).encode(), key=b"acme")
    # What the notifier reads back at start (ids it posted): junk there must not stop it
    # either. Not dead-lettered: it is read again at every start.
    for key, value in [(b"\xff\xfe", b"1"), (b"alert-77", None), (b"alert-78", bytes(range(256)))]:
        producer.send(t.alerts_notified, value, key=key)
    producer.close()

    env = {**worker_env, "PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL": hook.url}
    notifier = workers.start("notifier", ["alerts", "notify"], env)

    def done() -> bool:
        return len(hook.posts) >= 6 and set(producer.poison) <= set(letters(settings, t.sink_dlq))

    workers.wait_for(done, 90, "good alerts posted and poison dead-lettered")
    workers.assert_alive(notifier)
    assert_dead_lettered(producer.poison, letters(settings, t.sink_dlq), {"notifier"})
    assert hook.posts == [slack_message(alert(n)) for n in range(6)]
