"""Shared fixtures: one real Kafka broker and one real Elasticsearch node per test run.

The session starts the local stack unless it is already up (then it reuses it and leaves
it running). It stops only what it started. Every test that touches the services gets its
own topic names, consumer groups and index prefix, so tests never see each other's data.
"""

from __future__ import annotations

import os
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from core.settings import Settings, load_settings
from passaparola.stack import LocalStack

SHARED = Path(__file__).resolve().parents[2] / "shared"
# Set by `make check`: the run has no broker or node, and must not start them.
NO_SERVICES = "PASSAPAROLA_TEST_NO_SERVICES"

# Property tests: HYPOTHESIS_PROFILE picks the profile, "ci" by default (make test, make check):
# Hypothesis' own CI profile (the same examples every run, no example database, a failure
# prints the line that replays it), with a deadline a loaded 2-core machine keeps.
# A test's own @settings win over the profile: the example counts written on a test stay.
hypothesis_settings.register_profile("ci", parent=hypothesis_settings.get_profile("ci"), deadline=timedelta(seconds=2))
# A longer, random search, locally: `HYPOTHESIS_PROFILE=thorough make check` (counts a test sets stay).
hypothesis_settings.register_profile("thorough", parent=hypothesis_settings.get_profile("default"), max_examples=1000,
                                     deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def local_stack(base_settings: Settings):
    if os.environ.get(NO_SERVICES):
        pytest.fail(f"this test uses Kafka or Elasticsearch but {NO_SERVICES} is set (make check): mark it integration",
                    pytrace=False)
    stack = LocalStack(base_settings.stack)
    started = stack.up()
    yield stack
    if any(started.values()) and not os.environ.get("PASSAPAROLA_TEST_KEEP_STACK"):
        stack.down()


def unique_settings(base: Settings, tag: str) -> Settings:
    """Settings whose topics, groups and indices belong to one test only."""
    from passaparola.demo.namespace import namespaced

    return namespaced(base, f"{tag}.", tag, tag, partitions=3)


@pytest.fixture(scope="session")
def _tags(local_stack: LocalStack, base_settings: Settings):
    """Every tag handed out this session; their topics and indices are deleted at the end."""
    tags: list[str] = []
    yield tags
    if tags:
        _delete_test_resources(base_settings, tags)


def _delete_test_resources(settings: Settings, tags: list[str]) -> None:
    from core import kafka_clients
    from core.elastic import connect

    es = connect(settings)
    indices = [name for name in es.indices.get(index="t-*", expand_wildcards="all") if name.startswith(tuple(tags))]
    for start in range(0, len(indices), 50):
        es.indices.delete(index=",".join(indices[start : start + 50]), ignore_unavailable=True)
    # A wildcard that matches no template answers 404, not an empty list.
    templates = es.options(ignore_status=404).indices.get_index_template(name="t-*")
    for name in templates.get("index_templates", []):
        if name["name"].startswith(tuple(tags)):
            es.indices.delete_index_template(name=name["name"])
    with kafka_clients.admin(settings.kafka, "test-cleanup") as admin:
        # The demo command runs on "demo." + the configured topic names (passaparola.demo.namespace).
        topics = [t for t in admin.list_topics() if t.removeprefix("demo.").startswith(tuple(tags))]
        if topics:
            admin.delete_topics(topics)


@pytest.fixture
def tag(request: pytest.FixtureRequest, _tags: list[str]) -> str:
    """A short unique name for this test's Kafka and Elasticsearch resources."""
    name = f"t-{request.node.name[:24].lower().replace('_', '-').strip('-[]')}-{uuid.uuid4().hex[:6]}"
    _tags.append(name)
    return name


@pytest.fixture
def settings(local_stack: LocalStack, base_settings: Settings, tag: str) -> Settings:
    return unique_settings(base_settings, tag)


@pytest.fixture
def worker_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a worker subprocess exactly this test's settings."""
    from passaparola.demo.namespace import worker_env as namespaced_env

    env = namespaced_env(settings, dict(os.environ))  # client id, topics, index prefix
    env["PASSAPAROLA_KAFKA__PARTITIONS"] = str(settings.kafka.partitions)
    return env


@pytest.fixture(autouse=True)
def _no_kafka_client_left_open():
    """Fail a test that leaves a kafka-python client open.

    Each client owns a ``kafka-io-*`` thread until ``close()``. A forgotten one keeps
    polling after the session stops the broker, and its "No node available" warnings
    land on closed streams as logging errors at the end of CI's output. Autouse, so this
    teardown runs after the test's own fixtures have closed theirs.
    """
    before = set(_kafka_io_threads())
    yield
    left = [t.name for t in _kafka_io_threads() if t not in before]
    assert not left, f"kafka-python client(s) left open (close() them): {left}"


def _kafka_io_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("kafka-io-") and t.is_alive()]


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared``: real third-party data for tests (read only)."""
    assert SHARED.exists(), f"{SHARED} (the shared data folder beside the repository) is missing"
    return SHARED
