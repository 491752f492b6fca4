"""Elasticsearch refusing writes for a while with a cluster block: the disk past its
flood-stage watermark (indices turned ``read_only_allow_delete``), an operator's index write
block, a cluster-wide read-only block. A block is the state of the index or the cluster,
never a fault of the document: the sink must wait it out and retry, not dead-letter the
documents, not die; afterwards every mention is indexed exactly once.

On an Elasticsearch node of the module's own (``own_elasticsearch``): the disk watermarks
are cluster settings, and the session's node must never go read-only under other tests.
The session's Kafka carries the test's own topics.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from core.schema import Author, Mention
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from ingest.producer import MentionProducer
from sinks.base import sink_group
from sinks.elasticsearch import alias
from tests.support.kafka import lag

pytestmark = [pytest.mark.integration, pytest.mark.faults]

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)  # every mention below falls in May
HOLD_S = 30
# Free space thresholds no disk meets: the node is past flood stage whatever its disk.
FLOOD = {
    "cluster.routing.allocation.disk.threshold_enabled": True,  # the local node's yml turns it off
    "cluster.routing.allocation.disk.watermark.low": "1000tb",
    "cluster.routing.allocation.disk.watermark.high": "1000tb",
    "cluster.routing.allocation.disk.watermark.flood_stage": "1000tb",
    "cluster.info.update.interval": "10s",  # the shortest Elasticsearch accepts
}


def _mentions(first: int, n: int, start: datetime = T0) -> list[Mention]:
    return [Mention(platform="reddit", native_id=f"b{i}", source="blocks", author=Author(id=f"u{i % 101}"),
                    text=f"menzione bloccata numero {i}", thread_id=f"t{i % 300}", published_at=start + timedelta(minutes=i))
            for i in range(first, first + n)]


def _produce(settings: Settings, mentions: list[Mention]) -> None:
    with MentionProducer(settings, topic=settings.topics.mentions_enriched) as producer:
        for m in mentions:
            producer.send(m)


class Node:
    """The module's node over plain HTTP, for settings the client has no need to know."""

    def __init__(self, url: str, prefix: str):
        self.http, self.prefix = httpx.Client(base_url=url, timeout=30), prefix

    def cluster_settings(self, values: dict) -> None:
        reply = self.http.put("/_cluster/settings", json={"persistent": values})
        assert reply.status_code == 200, reply.text

    def blocks(self) -> dict[str, dict]:
        reply = self.http.get(f"/{self.prefix}-*/_settings/index.blocks.*", params={"flat_settings": "true"})
        return {index: body["settings"] for index, body in reply.json().items()} if reply.status_code == 200 else {}

    def count(self) -> int:
        try:
            self.http.post(f"/{alias(self.prefix)}/_refresh")
            return self.http.get(f"/{alias(self.prefix)}/_count").json()["count"]
        except (httpx.HTTPError, KeyError):
            return -1

    def assert_exactly_once(self, mentions: list[Mention]) -> None:
        assert self.count() == len(mentions)
        body = {"size": 0, "aggs": {"ids": {"terms": {"field": "id", "size": len(mentions) + 100}}}}
        buckets = self.http.post(f"/{alias(self.prefix)}/_search", json=body).json()["aggregations"]["ids"]["buckets"]
        assert {b["key"] for b in buckets} == {m.id for m in mentions}
        assert {b["doc_count"] for b in buckets} == {1}


@pytest.fixture
def node(own_elasticsearch, settings: Settings):
    node = Node(own_elasticsearch.service.url, settings.elasticsearch.index_prefix)
    yield node
    # Whatever happened, leave the module's node writable for the next test.
    node.cluster_settings({name: None for name in [*FLOOD, "cluster.blocks.read_only"]})
    node.http.put(f"/{settings.elasticsearch.index_prefix}-*/_settings",
                  json={"index.blocks.read_only_allow_delete": None, "index.blocks.write": None})


def _wait_logged(workers, block: str) -> None:
    """Until the sink has met ``block`` (it logs each refused write it will retry)."""
    workers.wait_for(lambda: block in (workers.folder / "sink.log").read_text(), 60, f"the sink meeting the {block} block")


def _wait_committed(settings: Settings, workers) -> None:
    """Until the sink has committed all of mentions.enriched: nothing left that it could write again."""
    workers.wait_for(lambda: lag(settings, sink_group(settings), settings.topics.mentions_enriched) == 0, 60,
                     "the sink committed everything")


def _sink_env(worker_env: dict, own_elasticsearch) -> dict:
    return {**worker_env, "PASSAPAROLA_ELASTICSEARCH__URL": own_elasticsearch.service.url}


def test_disk_past_flood_stage_for_30_s_is_waited_out(settings: Settings, worker_env, workers, own_elasticsearch, node):
    ensure_topics(settings)
    sink = workers.start("sink", ["sink", "run"], _sink_env(worker_env, own_elasticsearch))
    # All in one month, whose index exists before the block. (A month's first document
    # during the flood stage creates an index whose shard the watermarks keep unassigned:
    # each bulk then waits for it until the client's timeout, 3 x 30 s with the transport's
    # retries, and the sink retries that as "Elasticsearch unreachable" until the disk is
    # freed. That converges the same way, only slower to test.)
    before, during, after = _mentions(0, 2000), _mentions(2000, 2000), _mentions(4000, 2000)
    _produce(settings, before)
    workers.wait_for(lambda: node.count() == len(before), 120, "the first mentions indexed")

    node.cluster_settings(FLOOD)
    workers.wait_for(lambda: any(b.get("index.blocks.read_only_allow_delete") == "true" for b in node.blocks().values()),
                     90, "the flood-stage block on the index")
    blocked_at = time.monotonic()
    _produce(settings, during)
    workers.wait_for(lambda: "cluster_block_exception" in (workers.folder / "sink.log").read_text(), 30,
                     "the sink meeting the block")
    time.sleep(max(0.0, HOLD_S - (time.monotonic() - blocked_at)))  # the block lasting HOLD_S is the scenario
    workers.assert_alive(sink)
    assert node.count() == len(before), "the read-only index took nothing"

    # Disk space "freed": Elasticsearch lifts the block itself once under the high watermark.
    node.cluster_settings({name: None for name in FLOOD if "watermark" in name})
    try:
        workers.wait_for(lambda: not any("index.blocks.read_only_allow_delete" in b for b in node.blocks().values()),
                         60, "Elasticsearch releasing the block")
    except AssertionError:  # Elasticsearch before 7.4 never did: the operator removes it
        node.http.put(f"/{settings.elasticsearch.index_prefix}-*/_settings", json={"index.blocks.read_only_allow_delete": None})
    node.cluster_settings({name: None for name in FLOOD})
    _produce(settings, after)
    everything = before + during + after
    # The sink's backoff is at most 30 s plus jitter by now.
    workers.wait_for(lambda: node.count() == len(everything), 150, "every mention indexed after the block")
    _wait_committed(settings, workers)
    workers.assert_alive(sink)

    node.assert_exactly_once(everything)
    letters = read_to_end(settings.kafka.bootstrap_servers, settings.topics.sink_dlq)
    assert letters == [], f"{len(letters)} blocked documents dead-lettered: {letters[0][1][:300]!r}"
    assert "target unavailable, retrying" in (workers.folder / "sink.log").read_text()


def test_write_and_read_only_blocks_set_by_an_operator_are_waited_out(settings: Settings, worker_env, workers,
                                                                      own_elasticsearch, node):
    ensure_topics(settings)
    sink = workers.start("sink", ["sink", "run"], _sink_env(worker_env, own_elasticsearch))
    batches = [_mentions(20_000 + 1000 * n, 1000) for n in range(3)]
    _produce(settings, batches[0])
    workers.wait_for(lambda: node.count() == 1000, 120, "the first mentions indexed")
    index_settings = f"/{settings.elasticsearch.index_prefix}-*/_settings"

    # An index write block (what an operator sets before a shrink or a snapshot): 403 per document.
    assert node.http.put(index_settings, json={"index.blocks.write": True}).status_code == 200
    _produce(settings, batches[1])
    _wait_logged(workers, "index write (api)")
    workers.assert_alive(sink)
    assert node.count() == 1000
    assert node.http.put(index_settings, json={"index.blocks.write": None}).status_code == 200
    workers.wait_for(lambda: node.count() == 2000, 90, "the mentions held by the write block indexed")

    # The whole cluster read-only: 403 for the whole bulk request.
    node.cluster_settings({"cluster.blocks.read_only": True})
    _produce(settings, batches[2])
    _wait_logged(workers, "cluster read-only (api)")
    workers.assert_alive(sink)
    assert node.count() == 2000
    node.cluster_settings({"cluster.blocks.read_only": None})
    workers.wait_for(lambda: node.count() == 3000, 90, "the mentions held by the read-only cluster indexed")

    node.assert_exactly_once([m for batch in batches for m in batch])
    letters = read_to_end(settings.kafka.bootstrap_servers, settings.topics.sink_dlq)
    assert letters == [], f"{len(letters)} blocked documents dead-lettered: {letters[0][1][:300]!r}"
    log = (workers.folder / "sink.log").read_text()
    assert "index write (api)" in log and "cluster read-only (api)" in log
