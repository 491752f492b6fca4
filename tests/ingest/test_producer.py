"""Producing mentions to the real broker: keys, headers, acknowledgement."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

import pytest

from core.schema import SCHEMA_VERSION, Author, Mention
from core.settings import Settings
from core.topics import SCHEMA_HEADER, TopicSpec, ensure_topics, read_to_end
from ingest.producer import MentionProducer, ProduceError
from tests.support.kafka import read_records

pytestmark = pytest.mark.integration


def mention(i: int, thread: str, text: str = "ciao") -> Mention:
    return Mention(platform="reddit", native_id=f"c{i}", source="t", author=Author(id="a"), text=text, thread_id=thread,
                   published_at=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_mentions_are_keyed_by_thread_with_the_schema_version(settings: Settings):
    ensure_topics(settings)
    with MentionProducer(settings) as producer:
        for i in range(300):
            producer.send(mention(i, thread=f"thread-{i % 5}"))
    received = read_records(settings.kafka, settings.topics.mentions_raw)  # with headers and partitions
    assert len(received) == 300
    partitions_of = {}
    for msg in received:
        assert dict(msg.headers)[SCHEMA_HEADER] == str(SCHEMA_VERSION).encode()
        assert Mention.from_json(msg.value).thread_id == msg.key.decode()
        partitions_of.setdefault(msg.key, set()).add(msg.partition)
    assert len(partitions_of) == 5 and all(len(p) == 1 for p in partitions_of.values())
    # Within a thread, the order sent is the order stored.
    for key in partitions_of:
        ids = [int(Mention.from_json(m.value).native_id[1:]) for m in received if m.key == key]
        assert ids == sorted(ids)


def test_flush_raises_when_the_broker_refuses(settings: Settings, tag: str):
    topic = f"{tag}.tiny"
    ensure_topics(settings, [TopicSpec(topic, 1, 1, {"max.message.bytes": "1000"})])
    producer = MentionProducer(settings, topic=topic)
    producer.send(mention(1, "t", text=secrets.token_hex(4000)))  # incompressible, over 1000 bytes
    with pytest.raises(ProduceError, match="not acknowledged"):
        producer.flush(timeout_s=30)
    # The producer goes on: a later mention is acknowledged and the old failure not re-raised.
    producer.send(mention(2, "t"))
    producer.flush(timeout_s=30)
    producer.close()
    stored = read_to_end(settings.kafka.bootstrap_servers, topic)
    assert [Mention.from_json(value).native_id for _key, value in stored] == ["c2"]
