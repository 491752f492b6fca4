"""The demo's own corner of Kafka, emptied before every run.

The reply tracker ignores mention ids it has handled and the spike detector windows it has
decided, while the demo re-dates the same stream to the current hour on every run: on
reused topics a run would show the previous run's replies, or no alert at all. So the demo
runs on its own topics (``demo.`` + each configured name) and consumer groups (client id +
``-demo``), and :func:`reset` deletes exactly those, Faust's changelogs included, before each run
(test_a_second_demo_a_day_later_shows_the_same_story). Elasticsearch is shared with the
product on purpose (the dashboards read the configured index prefix); there :func:`reset`
deletes only the documents the previous demo run wrote, found by reading that run's
output topics, never by guessing.
"""

from __future__ import annotations

import json
import time

from core import kafka_clients
from core.errors import PassaparolaError
from core.settings import Settings
from core.topics import read_to_end

TOPIC_PREFIX = "demo."
CLIENT_SUFFIX = "-demo"


class ResetError(PassaparolaError):
    """The previous demo run's topics could not be removed."""


def namespaced(settings: Settings, topic_prefix: str, client_id: str, index_prefix: str | None = None,
               **kafka: object) -> Settings:
    """``settings`` with every topic name under ``topic_prefix``, another client id (hence
    other consumer groups), optionally another index prefix and other ``[kafka]`` values:
    the namespace of the demo, of a benchmark run or of a test."""
    topics = {name: topic_prefix + value for name, value in settings.topics.model_dump().items()}
    update = {"topics": settings.topics.model_copy(update=topics),
              "kafka": settings.kafka.model_copy(update={"client_id": client_id, **kafka})}
    if index_prefix is not None:
        update["elasticsearch"] = settings.elasticsearch.model_copy(update={"index_prefix": index_prefix})
    return settings.model_copy(update=update)


def demo_settings(settings: Settings) -> Settings:
    """``settings`` with the demo's topics and client id (hence its consumer groups)."""
    return namespaced(settings, TOPIC_PREFIX, settings.kafka.client_id + CLIENT_SUFFIX)


def worker_env(settings: Settings, base: dict[str, str]) -> dict[str, str]:
    """Environment for worker subprocesses so they load ``settings``' topics, client id and
    index prefix."""
    env = dict(base)
    # Several workers of one run share a host (a Compose one-off container sets a fixed port
    # for the single worker it expects): each picks a free port and logs it.
    env["PASSAPAROLA_METRICS_PORT"] = "0"
    env["PASSAPAROLA_KAFKA__CLIENT_ID"] = settings.kafka.client_id
    env["PASSAPAROLA_ELASTICSEARCH__INDEX_PREFIX"] = settings.elasticsearch.index_prefix
    env |= {f"PASSAPAROLA_TOPICS__{name.upper()}": value for name, value in settings.topics.model_dump().items()}
    return env


def reset(settings: Settings, timeout_s: float = 60) -> dict[str, int]:
    """Remove what the previous demo run left: its documents in Elasticsearch (kind -> how
    many were deleted), then its topics and consumer groups. ``settings`` are the demo's."""
    deleted = _delete_documents(settings)
    _delete_kafka_namespace(settings, timeout_s)
    return deleted


def written_ids(settings: Settings, topic: str) -> list[str]:
    """The document ids on ``topic`` (what the sink wrote, or will write, from it)."""
    ids = []
    for _key, value in read_to_end(settings.kafka, topic):
        try:
            ids.append(json.loads(value)["id"])
        except (TypeError, ValueError, KeyError):
            continue  # not a document the sink could have written
    return ids


def _delete_documents(settings: Settings) -> dict[str, int]:
    from elasticsearch.helpers import bulk, scan

    from core.elastic import connect
    from sinks.elasticsearch import alias

    es, prefix, t = connect(settings), settings.elasticsearch.index_prefix, settings.topics
    deleted = {}
    for kind, topic in (("mentions", t.mentions_enriched), ("replies", t.replies), ("alerts", t.alerts)):
        ids = written_ids(settings, topic)
        if not ids or not es.indices.exists_alias(name=alias(prefix, kind)):
            continue
        # Found, then deleted by id in bulk: delete_by_query needs a module the local node lacks.
        hits = scan(es, index=alias(prefix, kind), query={"query": {"ids": {"values": ids}}}, _source=False,
                    version=True)
        # Deleted at the version they have: a plain delete leaves a tombstone one version
        # higher, which refuses the next run's same document at the same external version (a
        # rerun within the hour regenerates it unchanged) until Elasticsearch forgets deletes,
        # 60 s later: a rerun found only 86 of 4,028 mentions searchable.
        actions = [{"_op_type": "delete", "_index": h["_index"], "_id": h["_id"], "version": h["_version"],
                    "version_type": "external_gte"} for h in hits]
        deleted[kind], _errors = bulk(es, actions, refresh=True, raise_on_error=False)
    return deleted


def demo_topics(settings: Settings, existing: list[str]) -> list[str]:
    """The topics of ``existing`` a demo run creates: its configured topics and the streams
    app's own (Faust names its changelogs and assignor topic after its app id), nothing else
    under ``demo.`` (a user's ``demo.orders`` stays)."""
    from streams.app import app_id

    configured = set(settings.topics.model_dump().values())
    faust_own = app_id(settings) + "-"
    return [name for name in existing if name in configured or name.startswith(faust_own)]


def _delete_kafka_namespace(settings: Settings, timeout_s: float) -> None:
    client_id = settings.kafka.client_id
    with kafka_clients.admin(settings.kafka, "demo-reset") as admin:
        ours = demo_topics(settings, admin.list_topics())
        groups = [g["group_id"] for g in admin.list_groups() if g["group_id"].startswith(client_id + "-")]
        if groups:
            # Belt and braces: Kafka also drops a group's offsets of deleted topics.
            admin.delete_groups(groups)
        if ours:
            admin.delete_topics(ours)
        deadline = time.monotonic() + timeout_s
        while set(ours) & set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise ResetError(f"Kafka did not delete the previous demo topics within {timeout_s:.0f} s: "
                                 f"{sorted(set(ours) & set(admin.list_topics()))}")
            time.sleep(0.2)
