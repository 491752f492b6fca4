"""A peer of our enrichment + indexing pipeline written with quix-streams, for benchmarks.

Same input (``mentions.raw``), same pure enrichment (:class:`Enricher`, imported, not
copied), same Elasticsearch mapping as our sink; only the stream framework differs
(quixstreams' ``Application`` and its community ``ElasticsearchSink`` instead of Faust
and our sink worker), so the throughput difference is the frameworks'.

quix-streams is a benchmark-only dependency (the ``bench`` extra). It needs older pydantic
pins than the product, so it runs from its own venv, ``.venv-bench`` (``make bench``).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass

from elasticsearch import Elasticsearch
from quixstreams import Application
from quixstreams.sinks.community.elasticsearch import ElasticsearchSink

from core.elastic import has_analyzer
from core.schema import Mention, SchemaError
from core.settings import Settings
from sinks.mappings import KINDS, mappings
from streams.enrichment.enricher import Enricher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeerResult:
    documents: int  # documents the sink wrote (acknowledged by Elasticsearch's bulk API)
    seconds: float  # from the first message decoded to the last bulk acknowledged
    started_at: float | None = None  # wall time of the first message decoded
    not_mentions: int = 0  # messages Mention.from_json refused
    dropped: int = 0  # mentions enricher.keeps refused

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Clock:
    """What the run saw; written only from the Application's thread."""

    first: float | None = None
    first_wall: float | None = None  # time.time() of the first decode, for the caller's clock
    last: float | None = None
    indexed: int = 0
    not_mentions: int = 0
    dropped: int = 0


class _CountingSink(ElasticsearchSink):
    """quixstreams' sink, plus a count of what it wrote and when, to stop at ``expected``.

    quixstreams flushes sinks at each checkpoint; ``write`` returning means the bulk
    request succeeded (it raises otherwise), so this is the moment a batch is indexed.
    """

    def __init__(self, clock: _Clock, expected: int, stop, **kwargs):
        super().__init__(**kwargs)
        self._clock, self._expected, self._stop = clock, expected, stop

    def setup(self) -> None:
        # The parent checks the connection with GET / (client.info()), which the local
        # stack's node (the integ-test zip, without the rest-root module) answers 405.
        # Cluster health is a check every distribution serves; the rest is the parent's
        # (test_quix_peer_indexes_every_kept_mention_once_enriched).
        self._client = Elasticsearch(**self._client_kwargs)
        self._client.cluster.health()
        self._create_index()

    def write(self, batch) -> None:
        super().write(batch)
        self._clock.indexed += batch.size
        self._clock.last = time.perf_counter()
        if self._clock.indexed >= self._expected:
            self._stop()


def _index_body(es_url: str) -> dict:
    """Our sink's mapping and index settings, so both sides do the same indexing work."""
    client = Elasticsearch(es_url)  # the same bare URL the quixstreams sink gets
    try:
        languages = has_analyzer(client, "italian") and has_analyzer(client, "english")
    finally:
        client.close()
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
        "mappings": mappings(KINDS["mentions"], languages),
    }


def run_peer(
    bootstrap_servers: str,
    topic: str,
    es_url: str,
    index: str,
    expected: int,
    timeout_s: float,
    settings: Settings,
    *,
    commit_interval: float = 1.0,
    loglevel: str = "WARNING",
) -> PeerResult:
    """Consume ``topic`` from the start, enrich, index into ``index`` until ``expected``
    documents are written or ``timeout_s`` passes; return what was indexed and how fast.

    ``settings`` configures the enricher (brands, languages, ...), exactly as for the
    Faust worker. ``commit_interval`` is how often quixstreams flushes the sink: it
    bounds the bulk size and adds up to that much to the last document's latency.
    """
    enricher = Enricher.from_settings(settings)
    clock = _Clock()
    state_dir = tempfile.mkdtemp(prefix="quix-peer-")  # the app wants one even when stateless
    app = Application(
        broker_address=bootstrap_servers,
        consumer_group=f"quix-peer-{uuid.uuid4().hex[:8]}",  # a fresh group reads from the start
        auto_offset_reset="earliest",
        commit_interval=commit_interval,
        state_dir=state_dir,
        loglevel=loglevel,
        use_changelog_topics=False,
    )
    # Raw bytes in: decoding is ours (Mention.from_json), as in the Faust agent.
    source = app.topic(topic, value_deserializer="bytes", key_deserializer="bytes")

    def decode(payload: bytes) -> Mention | None:
        if clock.first is None:
            clock.first, clock.first_wall = time.perf_counter(), time.time()
        try:
            return Mention.from_json(payload)
        except SchemaError:
            clock.not_mentions += 1  # the Faust agent dead-letters these; here they are only counted
            return None

    def kept(mention: Mention) -> bool:
        if enricher.keeps(mention):
            return True
        clock.dropped += 1
        return False

    sink = _CountingSink(
        clock, expected, app.stop,
        url=es_url, index=index, mapping=_index_body(es_url),
        # The Kafka key is the thread id; the document id must be the mention's own.
        document_id_setter=lambda item: item.value["id"],
    )
    sdf = app.dataframe(source)
    sdf = sdf.apply(decode).filter(lambda mention: mention is not None)
    sdf = sdf.apply(enricher.enrich).filter(kept)
    # The sink wants a JSON-able dict; pydantic's own dump keeps dates as ISO strings.
    sdf = sdf.apply(lambda mention: json.loads(mention.to_json()))
    sdf.sink(sink)

    watchdog = threading.Timer(timeout_s, app.stop)  # stop() is safe from another thread
    watchdog.daemon = True
    # app.run() installs its own SIGINT/SIGTERM handlers; give the caller's back after.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    watchdog.start()
    try:
        app.run()
    finally:
        watchdog.cancel()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        shutil.rmtree(state_dir, ignore_errors=True)
    if clock.indexed < expected:
        log.warning("quix peer stopped at %d of %d documents", clock.indexed, expected)
    seconds = (clock.last - clock.first) if clock.first is not None and clock.last is not None else 0.0
    return PeerResult(clock.indexed, seconds, clock.first_wall, clock.not_mentions, clock.dropped)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m passaparola.benchmarks.quix_peer",
        description="Enrich and index a mentions topic with quix-streams (a benchmark peer of our pipeline). "
        "Kafka, Elasticsearch and the enricher come from the usual settings (passaparola.toml, PASSAPAROLA_*).",
    )
    parser.add_argument("topic", help="Kafka topic of raw mentions, read from the start")
    parser.add_argument("index", help="Elasticsearch index to write (created with our mentions mapping)")
    parser.add_argument("expected", type=int, help="stop after this many documents are indexed")
    parser.add_argument("--timeout", type=float, default=600.0, help="stop after this many seconds anyway")
    parser.add_argument("--commit-interval", type=float, default=1.0, help="seconds between sink flushes")
    args = parser.parse_args(argv)
    settings = Settings()
    result = run_peer(settings.kafka.bootstrap_servers, args.topic, settings.elasticsearch.url, args.index,
                      args.expected, args.timeout, settings, commit_interval=args.commit_interval)
    print(json.dumps({"documents": result.documents, "seconds": round(result.seconds, 3), "started_at": result.started_at,
                      "per_second": round(result.per_second, 1), "not_mentions": result.not_mentions,
                      "dropped": result.dropped}))
    raise SystemExit(0 if result.documents >= args.expected else 1)


if __name__ == "__main__":
    main()
