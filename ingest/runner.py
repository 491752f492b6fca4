"""The ingest runner: schedules connectors, produces what they yield, persists their cursors.

For each configured source, every ``interval_s``: read its cursor from ``ingest.state``, let
its connector fetch from there, send each mention to ``mentions.raw`` and each problem to
``ingest.errors``; at each checkpoint, wait until Kafka acknowledged everything sent so far,
then save the cursor. After a kill between two checkpoints the next run re-reads from the
saved cursor and skips what the produce journal (:mod:`ingest.journal`) says reached Kafka.

Nothing a source does stops the worker: refused credentials, an API down after retries or a
bug in one connector becomes a record on ``ingest.errors``, and the source is tried again at
its next interval while the other sources go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from core.metrics import ERRORS
from core.schema import Mention
from core.settings import ConfigError, Settings, Source
from ingest.connectors import Checkpoint, Problem, SourceContext, connector_class
from ingest.errors import ErrorSink
from ingest.http import BadBody, HttpClient, HttpProblem
from ingest.journal import ProduceJournal
from ingest.producer import MentionProducer, MentionTooLarge, ProduceError
from ingest.state import CursorStore

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What one run of one source did."""

    source: str
    mentions: int = 0
    problems: int = 0
    checkpoints: int = 0
    resent_skipped: int = 0
    failure: str | None = None
    seconds: float = 0.0


class IngestRunner:
    """Runs sources into Kafka.

    Args:
        settings: sources, brands, secrets, topics and the HTTP limits.
        producer, store, errors: the Kafka sides (built from ``settings`` when omitted).
    """

    def __init__(self, settings: Settings, producer: MentionProducer | None = None, store: CursorStore | None = None,
                 errors: ErrorSink | None = None):
        self.settings = settings
        self.producer = producer or MentionProducer(settings, worker="ingest")
        self.store = store or CursorStore(settings)
        self.errors = errors or ErrorSink(settings)

    def source(self, name: str) -> Source:
        found = next((s for s in self.settings.sources if s.name == name), None)
        if found is None:
            known = ", ".join(s.name for s in self.settings.sources) or "none"
            raise KeyError(f"no source named {name!r} (configured: {known})")
        return found

    async def run_source(self, source: Source) -> RunResult:
        """One pass over ``source`` from its saved cursor; never raises for the source's faults."""
        result, started = RunResult(source.name), time.monotonic()
        context = SourceContext(source, self.settings.brands, self.settings.secrets)
        journal = ProduceJournal(self.settings, self.store, source.name)
        try:
            sent_before = await asyncio.to_thread(journal.recover)  # a run killed after its last checkpoint
            connector_cls = connector_class(source.kind)
            async with HttpClient(source.name, self.settings.ingest) as http:
                connector = connector_cls(context, http)
                async for item in connector.fetch(self.store.get(source.name)):
                    await self._handle(source, item, result, journal, sent_before)
        except BadBody as err:
            result.failure = str(err)
            self.errors.record(source.name, source.kind, str(err), err.sample)
        except (HttpProblem, ProduceError) as err:
            result.failure = str(err)
            self.errors.record(source.name, source.kind, str(err))
        except ConfigError as err:  # e.g. a source without the option its connector needs
            result.failure = f"configuration: {err}"
            self.errors.record(source.name, source.kind, result.failure)
        except Exception as err:  # noqa: BLE001 - one connector's bug must not stop the others
            log.exception("connector failed", extra={"source": source.name})
            result.failure = f"connector failed: {type(err).__name__}: {err}"
            self.errors.record(source.name, source.kind, result.failure)
        finally:
            # Mentions after the last checkpoint still go out; their cursor is not saved,
            # so the next run repeats them (at-least-once, deduplicated by id).
            await self._flush_quietly(source, result)
        result.seconds = time.monotonic() - started
        log.info("source run", extra=vars(result))
        return result

    async def _handle(self, source: Source, item: object, result: RunResult, journal: ProduceJournal,
                      sent_before: set[str]) -> None:
        if isinstance(item, Mention):
            if item.id in sent_before:
                result.resent_skipped += 1  # produced by the killed run, before its checkpoint
                return
            if not journal.is_open:
                await asyncio.to_thread(journal.open)
            try:
                self.producer.send(item)
            except MentionTooLarge as err:
                self.errors.record(source.name, source.kind, str(err), item.text[:1000], item.url)
                result.problems += 1
                return
            result.mentions += 1
        elif isinstance(item, Problem):
            self.errors.record(source.name, source.kind, item.reason, item.sample, item.url)
            result.problems += 1
        elif isinstance(item, Checkpoint):
            await asyncio.to_thread(self.producer.flush)  # raises ProduceError: cursor not saved
            await asyncio.to_thread(self.store.save, source.name, item.cursor)
            await asyncio.to_thread(journal.close)
            result.checkpoints += 1
        else:
            raise TypeError(f"connector yielded {type(item).__name__}, not a Mention, Problem or Checkpoint")

    async def _flush_quietly(self, source: Source, result: RunResult) -> None:
        try:
            await asyncio.to_thread(self.producer.flush)
            await asyncio.to_thread(self.errors.flush)
        except ProduceError as err:
            ERRORS.labels("ingest", "produce").inc()
            result.failure = result.failure or str(err)
            log.error("produce failed", extra={"source": source.name, "error": str(err)})

    async def run_forever(self, stop: asyncio.Event, only: list[str] | None = None) -> None:
        """Run every source (or those named in ``only``) on its interval until ``stop`` is set."""
        sources = [s for s in self.settings.sources if only is None or s.name in only]
        await asyncio.gather(*(self._every(source, stop) for source in sources))

    async def _every(self, source: Source, stop: asyncio.Event) -> None:
        while not stop.is_set():
            run = asyncio.create_task(self.run_source(source))
            halted = asyncio.create_task(stop.wait())
            await asyncio.wait({run, halted}, return_when=asyncio.FIRST_COMPLETED)
            if not run.done():
                run.cancel()  # stopping: what was checkpointed stays, the rest is re-read next start
                await asyncio.gather(run, return_exceptions=True)
            halted.cancel()
            try:
                await asyncio.wait_for(stop.wait(), timeout=source.interval_s)
            except TimeoutError:
                pass

    def close(self) -> None:
        for part in (self.producer, self.errors, self.store):
            try:
                part.close()
            except Exception:  # noqa: BLE001 - closing is best effort at shutdown
                log.exception("close failed")
