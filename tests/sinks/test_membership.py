"""A sink consumer outside its group is noticed and replaced; an idle member is left alone."""

from __future__ import annotations

import threading
import time

import pytest
from kafka import KafkaConsumer

from core import kafka_clients
from core.elastic import connect
from core.metrics import ERRORS
from core.settings import Settings
from core.topics import TopicSpec, ensure_topics
from sinks.base import Batching, sink_group
from sinks.elasticsearch import ElasticsearchSink, alias
from sinks.membership import GroupWatch
from sinks.worker import SinkWorker
from tests.sinks.test_elasticsearch_sink import mention
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration


def _consumer(settings: Settings, topic: str, group: str) -> KafkaConsumer:
    consumer = kafka_clients.consumer(settings.kafka, "test", topic, group_id=group)
    # Knowing the new topic's partitions before joining, as the sink's consumers do: else
    # kafka-python may assign nothing and stay out of the group, the failure watched for.
    assert consumer.partitions_for_topic(topic)
    return consumer


def _poll_until(consumers: list[KafkaConsumer], done, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        for consumer in consumers:
            consumer.poll(timeout_ms=100)
    assert done()


def test_an_idle_member_is_not_stuck_and_a_consumer_that_never_joined_is(settings: Settings):
    topic = f"{settings.kafka.client_id}.one-partition"
    ensure_topics(settings, [TopicSpec(topic, 1, 1, {})])
    group = f"{settings.kafka.client_id}-watch"
    busy, idle = _consumer(settings, topic, group), _consumer(settings, topic, group)
    try:
        # Two members, one partition: one of them has nothing, by design.
        _poll_until([busy, idle], lambda: len(busy.assignment()) + len(idle.assignment()) == 1
                    and all(c.group_metadata().member_id for c in (busy, idle)))
        without = idle if not idle.assignment() else busy
        watch = GroupWatch(settings.kafka.bootstrap_servers, group, after_s=0, every_s=0)
        assert without.group_metadata().member_id in watch.members()
        assert not watch.stuck(without)

        never_polled = _consumer(settings, topic, group)
        try:
            assert watch.stuck(never_polled)
        finally:
            never_polled.close(autocommit=False)
    finally:
        busy.close(autocommit=False)
        idle.close(autocommit=False)


def test_the_watch_waits_before_asking(settings: Settings):
    topic = f"{settings.kafka.client_id}.one-partition"
    ensure_topics(settings, [TopicSpec(topic, 1, 1, {})])
    never_polled = _consumer(settings, topic, f"{settings.kafka.client_id}-watch")
    try:
        watch = GroupWatch(settings.kafka.bootstrap_servers, f"{settings.kafka.client_id}-watch", after_s=0.5, every_s=0)
        assert not watch.stuck(never_polled)  # no partitions, but not for long yet
        time.sleep(0.6)  # the watch's own delay passing is the scenario
        assert watch.stuck(never_polled)
    finally:
        never_polled.close(autocommit=False)


def test_the_worker_replaces_a_consumer_that_is_outside_its_group_and_indexes(settings: Settings):
    """The consumer is swapped for one of another group (a stand-in for kafka-python
    leaving it out of the group): the worker starts a consumer of its own group again."""
    ensure_topics(settings)
    topic = settings.topics.mentions_enriched
    with kafka_clients.producer(settings.kafka, "test") as producer:
        for i in range(300):
            producer.send(topic, key=str(i % 7).encode(), value=mention(i).to_json())

    target = ElasticsearchSink.from_settings(settings)
    worker = SinkWorker(settings.model_copy(update={"out_of_group_s": 1.0}), target, [topic], sink_group(settings),
                        settings.topics.sink_dlq, Batching(max_wait_s=0.2))
    # Subscribed under a group nobody reads: it never gets the sink group's partitions.
    outsider = kafka_clients.consumer(settings.kafka, "outsider", group_id=f"{settings.kafka.client_id}-elsewhere")
    outsider.subscribe(pattern=f"^{settings.kafka.client_id}-never-created$")
    worker._consumer.close(autocommit=False)
    worker._consumer = outsider
    replaced_before = ERRORS.labels("sink", "consumer out of group")._value.get()
    running = threading.Thread(target=worker.run, daemon=True)
    running.start()
    try:
        es, index = connect(settings), alias(settings.elasticsearch.index_prefix)

        def indexed() -> int:
            try:
                es.indices.refresh(index=index)
                return es.count(index=index)["count"]
            except Exception:  # no index yet
                return 0

        wait_until(lambda: indexed() >= 300, 90, "the 300 mentions indexed", every_s=0.5)
        assert indexed() == 300
        assert worker._consumer is not outsider
        assert ERRORS.labels("sink", "consumer out of group")._value.get() == replaced_before + 1
    finally:
        worker.stop()
        running.join(30)


def test_a_new_consumer_knows_its_topics_partitions_before_it_first_joins(settings: Settings):
    """What the first assignment is computed from: without it, kafka-python may assign the
    sink nothing ("No partition metadata for topic ...")."""
    ensure_topics(settings)
    topics = [settings.topics.mentions_enriched, settings.topics.replies]
    target = ElasticsearchSink.from_settings(settings)
    worker = SinkWorker(settings, target, topics, sink_group(settings), settings.topics.sink_dlq)
    try:
        cached = worker._consumer._cluster  # the cache the assignor reads; no request made here
        assert all(cached.partitions_for_topic(t) == set(range(settings.kafka.partitions)) for t in topics)
        assert not worker._consumer.assignment()  # and it has not joined yet
    finally:
        worker.close()
