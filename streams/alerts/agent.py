"""Spike detection wired to Kafka: per brand, tumbling windows closed in event time.

``route`` re-keys each enriched mention not written by a brand by every brand it matched
(``mentions.by_brand``), so one brand's mentions meet in one partition. ``detect`` counts
them into the ``alerts.windows`` by their own time (:mod:`streams.alerts.windows`) and
feeds each closed window to that size's :class:`~streams.alerts.spike_detector.SpikeDetector`.
An alert gets its explanation (:mod:`streams.alerts.explain`) and an id made of brand,
kind, window and end, so a replay after a crash rewrites the same alert.

Changelogged tables: ``spike-marks`` (watermarks per brand), ``spike-windows`` (tallies per
brand and smallest window), ``spike-detectors`` (detector states per brand and window size)
and ``spike-context`` (5-minute explanation buckets, kept ``context_hours``)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

import faust

from core.metrics import BATCH_SECONDS, CONSUMED, DROPPED
from core.schema import Mention, SchemaError
from core.settings import ConfigError, Settings
from streams.alerts.explain import add_mention, empty_context, explain
from streams.alerts.spike_detector import SpikeDetector, parse_window
from streams.alerts.windows import EventTimeWindows, check_sizes, floor_time
from streams.faust_patches.dead_letters import dead_letterer
from streams.faust_patches.producing import NotProduced, sender
from streams.faust_patches.tables import TableBatch, json_table

log = logging.getLogger(__name__)
WORKER = "alerts"
CONTEXT_BUCKET = timedelta(minutes=5)
SOURCE_HEADER = "passaparola-source-partition"
IDENTITY_HEX = 12


def alert_id(brand: str, kind: str, window: str, end: datetime) -> str:
    return hashlib.blake2b(f"{brand}|{kind}|{window}|{end.isoformat()}".encode(), digest_size=16).hexdigest()


def _source_partition(event: faust.EventT) -> int:
    headers = event.headers or {}
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        if name == SOURCE_HEADER:
            return int(value)
    return 0


def register_spike_detection(app: faust.App, settings: Settings) -> None:
    topics, cfg, batching = settings.topics, settings.alerts, settings.streams
    lateness = timedelta(seconds=cfg.lateness_s)
    context_span = timedelta(hours=cfg.context_hours)
    enriched = app.topic(topics.mentions_enriched, key_type=bytes, value_type=bytes)
    by_brand = app.topic(topics.mentions_by_brand, key_type=bytes, value_type=bytes)
    send = sender(app, WORKER)
    dead_letter = dead_letterer(app, topics.mentions_dlq, WORKER)
    partitions = settings.kafka.partitions
    marks = json_table(app, "spike-marks", partitions)
    buckets = json_table(app, "spike-windows", partitions)
    detectors = json_table(app, "spike-detectors", partitions)
    contexts = json_table(app, "spike-context", partitions)
    try:  # at start, not as a dead letter per mention
        sizes = {window: parse_window(window) for window in cfg.windows}
        check_sizes(sizes)
    except ValueError as err:
        raise ConfigError(f"alerts.windows: {err}") from None

    @app.agent(enriched, name="alerts-route")
    async def route(stream: faust.StreamT) -> None:
        async for event in stream.events():
            try:
                fields = json.loads(event.value)
                brands = fields.get("brands") or []
                if not isinstance(brands, list) or not all(isinstance(b, str) and b for b in brands):
                    raise ValueError("brands is not a list of names")
            except (ValueError, TypeError, AttributeError):
                # Not a mention (a tombstone, a JSON list, brands a string that would route
                # to brands "a", "c", "m", "e"). The reply tracker reads this same topic in
                # this worker and dead-letters anything that is not a mention, so a count
                # here, and one dead letter per message (guarded by
                # tests/faults/test_poison.py).
                DROPPED.labels(WORKER, "not a mention").inc()
                continue
            if fields.get("author_is_brand"):
                continue  # the brand's own posts and replies are not buzz about it
            # Which partition it came from: the detector keeps a watermark per source partition.
            source = {SOURCE_HEADER: str(event.message.partition).encode()}
            try:
                for brand in brands:
                    await send(topics.mentions_by_brand, brand.encode(), event.value, source)
            except NotProduced as err:
                await dead_letter(event, str(err), "not produced")

    def context_keys(brand: str, start: datetime, end: datetime) -> list[str]:
        keys, bucket = [], floor_time(start, CONTEXT_BUCKET)
        while bucket < end:
            keys.append(f"{brand}|{bucket.isoformat()}")
            bucket += CONTEXT_BUCKET
        return keys

    def explained(contexts_now: MutableMapping[str, Any], brand: str, alert: dict[str, Any],
                  size: timedelta) -> dict[str, Any]:
        end = datetime.fromisoformat(alert["at"])
        start = end - size
        inside = [c for k in context_keys(brand, start, end) if (c := contexts_now.get(k))]
        before = [c for k in context_keys(brand, start - context_span, start) if (c := contexts_now.get(k))]
        doc = {**alert, "brand": brand, "window_start": start.isoformat(), "window_end": alert["at"]}
        doc.update(explain(doc, inside, before), id=alert_id(brand, alert["kind"], alert["window"], end))
        return doc

    @app.agent(by_brand, name="alerts-detect")
    async def detect(stream: faust.StreamT) -> None:
        async for events in stream.take_events(batching.batch_max, batching.batch_wait_s):
            started = time.perf_counter()
            batch = TableBatch(marks, buckets, detectors, contexts)
            for event in events:
                batch.at(event.message.partition)
                await detect_one(event, batch)
            await batch.flush()
            BATCH_SECONDS.labels(WORKER).observe(time.perf_counter() - started)

    async def detect_one(event: faust.EventT, batch: TableBatch) -> None:
        CONSUMED.labels(WORKER, topics.mentions_by_brand).inc()
        try:
            if not event.message.key:
                raise ValueError("no key (the brand)")
            brand, mention = event.message.key.decode(), Mention.from_json(event.value)
            partition = _source_partition(event)
        except (SchemaError, ValueError, OverflowError) as err:  # ValueError covers UnicodeDecodeError
            # Including a bad source header and a date that overflows (year 1 at +01:00):
            # dead letter, with why (guarded by tests/faults/test_poison.py).
            await dead_letter(event, f"not a mention by brand: {type(err).__name__}: {err}")
            return
        try:
            docs = observe(batch, brand, mention, partition)
        except Exception as err:  # a bug on one brand's mention must not stop detection for all
            log.exception("spike detection failed", extra={"brand": brand})
            await dead_letter(event, f"spike detection failed: {err!r}")
            return
        for doc in docs:
            try:
                await send(topics.alerts, brand.encode(), json.dumps(doc, ensure_ascii=False).encode())
            except NotProduced as err:
                await dead_letter(event, f"its alert {doc.get('id')}: {err}", "not produced")
                continue
            log.info("alert", extra={"brand": brand, "kind": doc["kind"], "window": doc["window"], "at": doc["at"]})

    def observe(batch: TableBatch, brand: str, mention: Mention, partition: int) -> list[dict[str, Any]]:
        negative = bool(mention.sentiment and mention.sentiment.label == "negative")
        contexts_now, marks_now = batch[contexts], batch[marks]
        windows = EventTimeWindows(brand, sizes, settings.kafka.partitions, marks_now.get(brand), batch[buckets], lateness,
                                   cfg.idle_s, future_s=cfg.future_s)
        # 48 bits of the (already hashed) id: one window's mentions never collide in practice.
        windows.count(mention.published_at, negative, partition, identity=mention.id[:IDENTITY_HEX])
        if windows.future:
            DROPPED.labels(WORKER, "dated in the future").inc()
            return []
        if windows.repeated:  # read again (a re-read after a crash, a re-sent enrichment): counted once
            DROPPED.labels(WORKER, "counted already").inc()
        else:  # its context gets it once too, before a window it closes is explained
            key = f"{brand}|{floor_time(mention.published_at, CONTEXT_BUCKET).isoformat()}"
            context = contexts_now.get(key) or empty_context()
            add_mention(context, mention)
            contexts_now[key] = context
        closed = windows.close()
        marks_now[brand] = windows.state
        if windows.late:
            DROPPED.labels(WORKER, "late for its window").inc(windows.late)
        docs = []
        for window, end, count, neg in closed:
            docs += close_window(batch, brand, window, end, count, neg)
        return docs

    def close_window(batch: TableBatch, brand: str, window: str, end: datetime, count: int,
                     negative: int) -> list[dict[str, Any]]:
        key, contexts_now, detectors_now = f"{brand}|{window}", batch[contexts], batch[detectors]
        state = detectors_now.get(key)
        detector = SpikeDetector.from_state(state, cfg.detector) if state else SpikeDetector(window, cfg.detector)
        raised = detector.observe(end, count, negative)
        detectors_now[key] = detector.to_state()
        if detector.size == CONTEXT_BUCKET:  # once per 5 minutes of stream time: drop what is too old
            horizon = end - context_span - CONTEXT_BUCKET
            for stale in context_keys(brand, horizon - timedelta(hours=2), horizon):
                if stale in contexts_now:
                    del contexts_now[stale]
        return [explained(contexts_now, brand, a.to_dict(), detector.size) for a in raised]
