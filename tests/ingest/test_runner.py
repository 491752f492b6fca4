"""The ingest runner against the real Kafka of the test stack and a local replay server.

The connector here is a small paged one defined in the test (the platform connectors have
their own tests); what is under test is the runner: mentions to mentions.raw, problems to
ingest.errors, cursors to ingest.state only after Kafka acknowledged, resume, and that no
failure of a source escapes the runner.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest

from core.schema import Author, Mention
from core.settings import Settings, Source
from core.topics import ensure_topics
from ingest.connectors import Checkpoint, Connector, Problem
from ingest.runner import IngestRunner
from ingest.state import CursorStore
from tests.support.kafka import read_records

pytestmark = pytest.mark.integration


class PagedConnector(Connector):
    """Pages ``/items?page=N`` until an empty page; the cursor is the next page to ask."""

    kind = "hackernews"

    async def fetch(self, cursor):
        page = cursor.get("page", 1)
        while True:
            body = await self.http.get_json(f"{self.source.url}/items", {"page": page})
            if not body["items"]:
                return
            for item in body["items"]:
                if "id" not in item:
                    yield Problem("item without id", json.dumps(item))
                    continue
                if item["id"] == "crash":
                    raise RuntimeError("a bug in the connector")
                yield Mention(platform="hackernews", native_id=item["id"], source=self.source.name,
                              author=Author(id="u"), text=item["text"], published_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
            page += 1
            yield Checkpoint({"page": page})


def _pages(replay, *pages):
    for number, items in enumerate(pages, start=1):
        replay.route("/items", {"items": items}, query={"page": str(number)})
    replay.route("/items", {"items": []}, query={"page": str(len(pages) + 1)})


@pytest.fixture
def runner_for(settings: Settings, monkeypatch):
    monkeypatch.setattr("ingest.runner.connector_class", lambda kind: PagedConnector)
    ensure_topics(settings)
    made = []

    def make(url: str) -> tuple[IngestRunner, Source]:
        source = Source(name="hn-test", kind="hackernews", url=url)
        cfg = settings.model_copy(update={"sources": [source]})
        runner = IngestRunner(cfg)
        made.append(runner)
        return runner, source

    yield make
    for runner in made:
        runner.close()


def test_mentions_problems_and_cursor_reach_their_topics(settings, replay, runner_for):
    _pages(replay, [{"id": "1", "text": "uno"}, {"text": "senza id"}], [{"id": "2", "text": "due"}])
    runner, source = runner_for(replay.url)
    result = asyncio.run(runner.run_source(source))
    assert (result.mentions, result.problems, result.checkpoints, result.failure) == (2, 1, 2, None)

    raw = [Mention.from_json(m.value) for m in read_records(settings.kafka, settings.topics.mentions_raw)]
    assert sorted(m.native_id for m in raw) == ["1", "2"]
    errors = [json.loads(m.value) for m in read_records(settings.kafka, settings.topics.ingest_errors)]
    assert [(e["source"], e["reason"]) for e in errors] == [("hn-test", "item without id")]
    assert "senza id" in errors[0]["sample"]
    assert CursorStore(settings).get("hn-test") == {"page": 3}


def test_a_second_run_resumes_from_the_saved_cursor(settings, replay, runner_for):
    _pages(replay, [{"id": "1", "text": "uno"}], [{"id": "2", "text": "due"}])
    runner, source = runner_for(replay.url)
    asyncio.run(runner.run_source(source))
    asked_before = len(replay.requests("/items"))
    # A new page appears; a fresh runner (a restarted worker) asks only from page 3 on.
    replay.route("/items", {"items": [{"id": "3", "text": "tre"}]}, query={"page": "3"})
    replay.route("/items", {"items": []}, query={"page": "4"})
    again, _ = runner_for(replay.url)
    result = asyncio.run(again.run_source(source))
    assert result.mentions == 1
    pages_asked = [r.query["page"] for r in replay.requests("/items")[asked_before:]]
    assert pages_asked == ["3", "4"]
    raw = [Mention.from_json(m.value).native_id for m in read_records(settings.kafka, settings.topics.mentions_raw)]
    assert sorted(raw) == ["1", "2", "3"]


def test_a_refused_token_becomes_an_ingest_error_not_a_crash(settings, replay, runner_for):
    replay.route("/items", replay.Reply(401, b'{"error": "bad token"}'))
    runner, source = runner_for(replay.url)
    result = asyncio.run(runner.run_source(source))
    assert "HTTP 401" in result.failure
    errors = [json.loads(m.value) for m in read_records(settings.kafka, settings.topics.ingest_errors)]
    assert len(errors) == 1 and "not authorised" in errors[0]["reason"]


def test_truncated_json_is_recorded_with_a_sample(settings, replay, runner_for):
    replay.route("/items", b'{"items": [{"id": "1", "te')
    runner, source = runner_for(replay.url)
    result = asyncio.run(runner.run_source(source))
    assert "not JSON" in result.failure
    errors = [json.loads(m.value) for m in read_records(settings.kafka, settings.topics.ingest_errors)]
    assert errors[0]["sample"].startswith('{"items"')


def test_a_connector_bug_is_recorded_and_what_came_before_it_is_kept(settings, replay, runner_for):
    _pages(replay, [{"id": "1", "text": "uno"}], [{"id": "crash", "text": "x"}])
    runner, source = runner_for(replay.url)
    result = asyncio.run(runner.run_source(source))
    assert result.failure == "connector failed: RuntimeError: a bug in the connector"
    assert [Mention.from_json(m.value).native_id for m in read_records(settings.kafka, settings.topics.mentions_raw)] == ["1"]
    # The cursor stays at the last checkpoint, so the next run retries the failing page.
    assert CursorStore(settings).get("hn-test") == {"page": 2}


def test_cursor_store_keeps_the_newest_cursor_and_forgets_on_reset(settings):
    ensure_topics(settings)
    store = CursorStore(settings)
    store.save("a", {"since": 1})
    store.save("a", {"since": 2})
    store.save("b", {"page": "x"})
    store.close()
    reread = CursorStore(settings)
    assert (reread.get("a"), reread.get("b"), reread.get("c")) == ({"since": 2}, {"page": "x"}, {})
    reread.reset("a")
    reread.close()
    assert CursorStore(settings).get("a") == {}


def test_a_run_that_died_mid_page_does_not_send_that_page_twice(settings, replay, runner_for):
    # Page 2 dies after two of its mentions reached Kafka (the connector fails; a SIGKILL
    # after the producer's flush leaves the same state: mentions sent, cursor not saved).
    _pages(replay, [{"id": "1", "text": "uno"}],
           [{"id": "2a", "text": "a"}, {"id": "2b", "text": "b"}, {"id": "crash", "text": "x"}])
    runner, source = runner_for(replay.url)
    first = asyncio.run(runner.run_source(source))
    assert first.failure and first.mentions == 3
    # Fixed upstream: the page now reads in full. A fresh runner resumes at page 2.
    replay.route("/items", {"items": [{"id": "2a", "text": "a"}, {"id": "2b", "text": "b"}, {"id": "2c", "text": "c"}]},
                 query={"page": "2"})
    again, _ = runner_for(replay.url)
    second = asyncio.run(again.run_source(source))
    assert (second.failure, second.mentions, second.resent_skipped) == (None, 1, 2)
    ids = [Mention.from_json(m.value).native_id for m in read_records(settings.kafka, settings.topics.mentions_raw)]
    assert sorted(ids) == ["1", "2a", "2b", "2c"]
    assert CursorStore(settings).get("journal:hn-test") == {}  # closed at the page's checkpoint
