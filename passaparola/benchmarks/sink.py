"""The sink against the physical limit: the same documents through the sink worker (Kafka
in, Elasticsearch out) and straight into Elasticsearch with ``helpers.parallel_bulk``."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from elasticsearch import NotFoundError
from elasticsearch.helpers import parallel_bulk

from core.elastic import connect
from core.schema import Mention
from core.settings import Settings, TopicSettings
from core.topics import TopicSpec, ensure_topics
from ingest.producer import MentionProducer
from passaparola.benchmarks.e2e import clean
from passaparola.demo.generator import DEMO_BRANDS, generate
from sinks.base import Batching
from sinks.elasticsearch import ElasticsearchSink, alias, index_name
from sinks.worker import SinkWorker
from streams.enrichment.enricher import Enricher


@dataclass(frozen=True)
class SinkFigures:
    documents: int
    sink_per_second: float
    parallel_bulk_per_second: float

    @property
    def ratio(self) -> float:
        return self.sink_per_second / self.parallel_bulk_per_second


def enriched_mentions(count: int) -> list[Mention]:
    """``count`` enriched demo mentions (the stream repeated under new ids when needed)."""
    base = [Enricher(DEMO_BRANDS).enrich(m) for m in generate(seed=13, scale=1.0)]
    out = []
    for n in range(count):
        m = base[n % len(base)]
        out.append(Mention(**{**m.model_dump(), "id": "", "thread_id": "", "native_id": f"{m.native_id}-{n}"}))
    return out


def _wait_for_count(es, index: str, count: int, worker_thread: threading.Thread, timeout_s: float = 900) -> tuple[float, float]:
    """When the first document became visible, and when the last did."""
    first, deadline = None, time.perf_counter() + timeout_s
    while worker_thread.is_alive() and time.perf_counter() < deadline:
        try:
            es.indices.refresh(index=index)
            seen = es.count(index=index)["count"]
        except NotFoundError:  # the first batch has not created the month's index yet
            seen = 0
        if seen and first is None:
            first = time.perf_counter()
        if seen >= count:
            return first, time.perf_counter()
        time.sleep(0.1)
    raise RuntimeError(f"the sink worker did not index every document (stopped or over {timeout_s:.0f} s)")


def through_the_sink(settings: Settings, mentions: list[Mention], batch: int) -> float:
    """Documents per second through a :class:`SinkWorker` reading ``mentions`` from Kafka,
    from the first document visible to the last, in a scratch namespace."""
    tag = f"bench-{uuid.uuid4().hex[:8]}"
    topics = TopicSettings(**{k: f"{tag}.{v}" for k, v in settings.topics.model_dump().items()})
    cfg = settings.model_copy(update={"topics": topics,
                                      "elasticsearch": settings.elasticsearch.model_copy(update={"index_prefix": tag})})
    ensure_topics(cfg, [TopicSpec(topics.mentions_enriched, settings.kafka.partitions, 1), TopicSpec(topics.sink_dlq, 1, 1)])
    with MentionProducer(cfg, topic=topics.mentions_enriched) as producer:
        for mention in mentions:
            producer.send(mention)
    target = ElasticsearchSink.from_settings(cfg)
    target.setup()
    worker = SinkWorker(cfg, target, [topics.mentions_enriched], f"{tag}-sink", topics.sink_dlq,
                        Batching(max_records=batch, max_wait_s=0.5))
    thread = threading.Thread(target=worker.run, kwargs={"idle_exit_s": 5}, daemon=True)
    thread.start()
    # Steady state: from the first document visible to the last (joining the consumer
    # group first takes a second or more, which says nothing about throughput).
    try:
        first, last = _wait_for_count(connect(cfg), alias(tag), len(mentions), thread)
    finally:
        worker.stop()
        thread.join()
        clean(cfg, tag)
    return len(mentions) / (last - first)


def straight_parallel_bulk(settings: Settings, mentions: list[Mention], batch: int) -> float:
    """Documents per second written straight with ``parallel_bulk``, parsing included, into
    a scratch index prefix."""
    tag = f"bench-{uuid.uuid4().hex[:8]}"
    cfg = settings.model_copy(update={"elasticsearch": settings.elasticsearch.model_copy(update={"index_prefix": tag})})
    ElasticsearchSink.from_settings(cfg).setup()
    es = connect(cfg)
    # What the sink has to do too: turn each message into a document (parse and validate).
    payloads = [m.to_json() for m in mentions]
    start = time.perf_counter()
    actions = (
        {"_index": index_name(tag, "mentions", m.published_at), "_id": m.id, "_source": m.model_dump(mode="json")}
        for m in map(Mention.from_json, payloads)
    )
    for ok, item in parallel_bulk(es, actions, chunk_size=batch, thread_count=2, queue_size=4):
        if not ok:
            raise RuntimeError(f"parallel_bulk refused a document: {item}")
    es.indices.refresh(index=alias(tag))
    elapsed = time.perf_counter() - start
    assert es.count(index=alias(tag))["count"] == len(mentions)
    clean(cfg, tag)
    return len(mentions) / elapsed


def bench_sink(settings: Settings, documents: int = 50_000, batch: int = 1000) -> SinkFigures:
    """Both measurements over the same ``documents`` enriched mentions."""
    mentions = enriched_mentions(documents)
    straight = straight_parallel_bulk(settings, mentions, batch)
    sink = through_the_sink(settings, mentions, batch)
    return SinkFigures(documents, sink, straight)
