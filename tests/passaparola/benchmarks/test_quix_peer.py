"""The quix-streams benchmark peer against the real broker and node: every kept mention
indexed exactly once, with the fields our Enricher computes.

The peer runs as ``passaparola bench e2e`` runs it: ``python -m passaparola.benchmarks.quix_peer`` from its
own venv (``.venv-bench``: it needs older pydantic pins than ours, so quixstreams cannot be
imported here). ``make test`` creates that venv; a bare ``pytest`` without it skips this.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from core import kafka_clients
from core.elastic import connect
from core.schema import Author, Mention
from core.settings import Settings
from core.topics import ensure_topics
from ingest.producer import MentionProducer
from passaparola.benchmarks.e2e import bench_env
from passaparola.benchmarks.runs import PEER_PYTHON, REPO
from passaparola.demo.generator import DEMO_BRANDS, generate
from streams.enrichment.enricher import Enricher

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not PEER_PYTHON.exists(), reason=f"no {PEER_PYTHON}: make test (or make bench) creates it")]
T0 = datetime(2026, 2, 1, tzinfo=timezone.utc)
# Pure per-mention fields. duplicate_of is left out: it depends on the order mentions
# reach the (stateful) duplicate index, and the peer reads three partitions interleaved.
COMPARED = ("language", "sentiment", "intent", "topics", "keywords", "brands", "brand", "promo")


def _unmatched(n: int) -> list[Mention]:
    # Text that no demo brand query matches, and no connector brand hint: keeps() drops them.
    return [
        Mention(platform="reddit", native_id=f"q{i}", source="bench", author=Author(id=f"u{i}"),
                text=f"menzione numero {i} di nessuno", published_at=T0 + timedelta(minutes=i))
        for i in range(30)
    ]


def test_quix_peer_indexes_every_kept_mention_once_enriched(settings: Settings):
    settings = settings.model_copy(update={"brands": DEMO_BRANDS})
    mentions = generate(seed=11, scale=0.1) + _unmatched(30)
    reference = Enricher.from_settings(settings)
    expected = {m.id: r for m in mentions if reference.keeps(r := reference.enrich(m))}
    assert 300 <= len(expected) < len(mentions), "the run needs both kept and dropped mentions"

    ensure_topics(settings)
    topic = settings.topics.mentions_raw
    # The peer stops at its last expected document, so whatever it must count but not
    # index goes first: on every partition it then precedes the last kept mention (sent
    # last, the tail of dropped ones could still be unread at the stop).
    # One message that is not a mention: counted and skipped, it must not stop the peer.
    with kafka_clients.producer(settings.kafka, "test") as bad:
        bad.send(topic, key=b"junk", value=b"{not json").get(timeout=30)
    with MentionProducer(settings) as producer:
        for mention in sorted(mentions, key=lambda m: m.id in expected):  # dropped ones first
            producer.send(mention)

    index = f"{settings.elasticsearch.index_prefix}-quix-mentions"
    env = bench_env(settings)  # its namespace and the demo brands, as the bench gives it
    before = time.time()
    run = subprocess.run([str(PEER_PYTHON), "-m", "passaparola.benchmarks.quix_peer",
                          topic, index, str(len(expected)), "--timeout", "180"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert result["documents"] == len(expected)
    assert result["dropped"] == len(mentions) - len(expected)
    assert result["not_mentions"] == 1
    assert result["seconds"] > 0 and result["per_second"] > 0
    assert before < result["started_at"] < time.time() - result["seconds"]  # the wall time of its first decode

    es = connect(settings)
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == len(expected)  # none doubled, none extra
    hits = es.search(index=index, size=len(expected) + 10, query={"match_all": {}})["hits"]["hits"]
    assert {h["_id"] for h in hits} == set(expected)  # every kept one, under its own id
    for hit in hits:
        doc, want = hit["_source"], expected[hit["_id"]].model_dump(mode="json")
        assert doc["id"] == hit["_id"]
        assert {f: doc[f] for f in COMPARED} == {f: want[f] for f in COMPARED}, hit["_id"]
