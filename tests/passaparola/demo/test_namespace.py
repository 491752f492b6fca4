"""The demo's reset deletes exactly the topics a demo run creates, on the real broker."""

from __future__ import annotations

import pytest

from core import kafka_clients
from core.settings import Settings
from passaparola.demo.namespace import _delete_kafka_namespace, demo_settings, demo_topics
from streams.app import app_id


def test_only_the_demos_own_topics_are_its_own():
    demo = demo_settings(Settings())
    existing = ["demo." + Settings().topics.alerts, "demo.orders", Settings().topics.alerts,
                app_id(demo) + "-reply-threads-changelog", demo.kafka.client_id + "-elsewhere"]
    assert demo_topics(demo, existing) == [existing[0], existing[3]]


@pytest.mark.integration
def test_the_reset_leaves_a_users_demo_topics_alone(settings: Settings):
    from kafka.admin import NewTopic

    demo = demo_settings(settings)
    user_topic = f"demo.orders-{settings.kafka.client_id}"  # a user's topic that happens to start with demo.
    ours = [demo.topics.alerts, app_id(demo) + "-spike-windows-changelog"]
    with kafka_clients.admin(settings.kafka, "test") as admin:
        admin.create_topics([NewTopic(name, 1, 1) for name in [user_topic, *ours]])
        try:
            _delete_kafka_namespace(demo, timeout_s=60)
            left = set(admin.list_topics())
            assert user_topic in left and not set(ours) & left
        finally:
            admin.delete_topics([user_topic])
