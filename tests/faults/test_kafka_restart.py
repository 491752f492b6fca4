"""The Kafka broker stopped for 40 s in the middle of a stream and started again on the same
data directory, with the streams worker and the sink worker running against it: every
mention indexed exactly once, no worker dead, nothing dead-lettered.

The outage outlasts the producers' delivery timeout (set to 6 s here, 120 s by default), so
records in flight when the broker went away are reported failed and sent again: the path
that loses data if a cursor moves on without a clean flush.

The broker is the module's own (``own_kafka``): stopping the session's broker would break
every other test. Elasticsearch is the session's node, under the test's own index prefix.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from datetime import datetime, timedelta, timezone

import pytest

from core.elastic import connect
from core.schema import Author, Mention
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from ingest.producer import MentionProducer, ProduceError
from sinks.base import sink_group
from sinks.elasticsearch import alias
from tests.support.elastic import indexed
from tests.support.kafka import lag, wait_quiet

pytestmark = [pytest.mark.integration, pytest.mark.faults]

N = 20_000
RATE = 400  # mentions a second: the stream lasts about 50 s of producing, outage excluded
OUTAGE_S = 40
DELIVERY_TIMEOUT_S = 6  # well below the outage: records in flight expire during it
T0 = datetime(2026, 4, 20, tzinfo=timezone.utc)


def _mentions(n: int) -> list[Mention]:
    # Over two months (two monthly indices), on 4,000 threads, Italian and English.
    texts = ["il servizio clienti non risponde, ordine {i} in ritardo", "great coffee, order {i} arrived early"]
    return [
        Mention(platform="bluesky", native_id=f"k{i}", source="kafka-restart", author=Author(id=f"u{i % 613}"),
                text=texts[i % 2].format(i=i), thread_id=f"th{i % 4000}", published_at=T0 + timedelta(minutes=5 * i))
        for i in range(n)
    ]


class SteadyProducer(threading.Thread):
    """Produces the mentions at ``RATE`` a second, flushing every chunk; a chunk Kafka did not
    acknowledge is sent again, as the ingest runner does (it keeps its cursor until a clean
    flush), so a lost acknowledgement is a duplicate on the topic, never a gap."""

    def __init__(self, settings: Settings, mentions: list[Mention], chunk: int = 200):
        super().__init__(daemon=True)
        self.settings, self.mentions, self.chunk = settings, mentions, chunk
        self.sent = 0
        self.resent_chunks = 0
        self.error: BaseException | None = None
        self.where = ""

    def run(self) -> None:
        try:
            producer = MentionProducer(self.settings, worker="faults")
            start = time.monotonic()
            for first in range(0, len(self.mentions), self.chunk):
                part = self.mentions[first : first + self.chunk]
                while True:
                    try:
                        for m in part:
                            producer.send(m)
                        producer.flush()  # at most the delivery timeout and 10 s
                        break
                    except ProduceError:
                        self.resent_chunks += 1
                self.sent = first + len(part)
                ahead = self.sent / RATE - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)  # the rate is the scenario
            producer.close()
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.error = err
            self.where = traceback.format_exc()


def test_broker_restarted_mid_stream_loses_and_doubles_nothing(own_kafka, settings: Settings, worker_env, workers):
    bootstrap = own_kafka.service.bootstrap
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": bootstrap, "delivery_timeout_s": DELIVERY_TIMEOUT_S})
    settings = settings.model_copy(update={"kafka": kafka})
    env = {**worker_env, "PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
           "PASSAPAROLA_KAFKA__DELIVERY_TIMEOUT_S": str(DELIVERY_TIMEOUT_S)}
    ensure_topics(settings)
    es, prefix = connect(settings), settings.elasticsearch.index_prefix
    mentions = _mentions(N)

    workers.start("streams", ["streams", "worker"], env)
    workers.start("sink", ["sink", "run"], env)
    producer = SteadyProducer(settings, mentions)
    producer.start()
    # In the middle: some mentions already through the whole pipeline, most still to come.
    workers.wait_for(lambda: producer.sent >= N // 3 and indexed(es, prefix) > 0, 120, "a third produced, some indexed")
    own_kafka.stop()
    stopped_at, produced_at_stop, indexed_at_stop = time.monotonic(), producer.sent, indexed(es, prefix)
    time.sleep(OUTAGE_S)  # the outage is the scenario
    workers.assert_alive()  # a worker that exits when the broker goes away is a bug
    own_kafka.start()
    down_s = time.monotonic() - stopped_at
    producer.join(timeout=300)
    assert not producer.is_alive() and producer.error is None, producer.where
    workers.wait_for(lambda: indexed(es, prefix) >= N, 240, f"all {N} indexed")
    # Anything still in flight lands (a duplicate would now): mentions.enriched quiet, the sink through it.
    wait_quiet(settings.kafka, settings.topics.mentions_enriched, quiet_s=3)
    workers.wait_for(lambda: lag(settings, sink_group(settings), settings.topics.mentions_enriched) == 0, 60,
                     "the sink through mentions.enriched")

    assert 0 < indexed_at_stop < N and produced_at_stop < N, "the outage must fall in the middle of the stream"
    assert down_s >= OUTAGE_S
    # The loss path was taken: records Kafka never acknowledged were reported and sent again.
    assert producer.resent_chunks >= 1, "no send failed: the outage did not outlast the delivery timeout"
    # Exactly once: every id, each in one document.
    ids = es.search(index=alias(prefix), size=0, aggs={"ids": {"terms": {"field": "id", "size": N + 100}}})
    counts = {b["key"]: b["doc_count"] for b in ids["aggregations"]["ids"]["buckets"]}
    assert set(counts) == {m.id for m in mentions}
    assert {c for c in counts.values()} == {1}
    assert indexed(es, prefix) == N
    # An outage is not bad input: nothing dead-lettered.
    for dlq in (settings.topics.mentions_dlq, settings.topics.sink_dlq):
        assert read_to_end(bootstrap, dlq) == [], [json.loads(v)["reason"] for _, v in read_to_end(bootstrap, dlq)][:5]
    # Reconnecting is not spinning: aiokafka alone retries metadata without a pause, logging
    # tens of MB here (streams.faust_patches.metadata).
    log_mb = (workers.folder / "streams.log").stat().st_size / 1e6
    assert log_mb < 5, f"the streams worker wrote {log_mb:.0f} MB of log during the outage"
    print(f"broker down {down_s:.0f} s; produced {produced_at_stop} and indexed {indexed_at_stop} when it stopped; "
          f"chunks sent again: {producer.resent_chunks}")
