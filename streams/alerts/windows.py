"""Tumbling windows in event time, fed by several Kafka partitions at different speeds.

Per brand, every mention is counted into its window (by its own ``published_at``) for each
window size. A window closes when every source partition that carries the brand has moved
past its end plus ``lateness``: a watermark per source partition, and the brand's
watermark is the slowest one. This is what makes a replay right: a backfill of three days
reaches the detector partition after partition, sometimes a whole day apart, and a single
watermark would close windows before the slower partitions had delivered their mentions.

A partition that has sent nothing for ``idle_s`` seconds of wall time is idle and stops
holding the watermark back (otherwise a brand never mentioned in one partition would
never see a window close). Counts live in a mapping the caller provides (a Faust table
in the agent, a dict in tests), one entry per window, so each mention writes one window's
entry, not the brand's whole history.

Counting is idempotent when the caller passes each mention's identity: the brand keeps the
short hashes of the mentions it counted, one set per smallest window (``brand|seen|start``,
beside the counts), until every window that could hold them has closed, and counts a
mention once, however often it comes. Delivery is at least once: after a crash the agent
reads again what it had counted since its last commit (the changelogged counts already hold
it), and a restarted enrichment sends some mentions twice. Without this a restarted worker
inflated the windows it had open (1,2 times in one test) and could raise a spike that was
not there. The sets are per smallest window, not per window, because a busy brand's hour
holds far more mentions than its minute: each batch rewrites only the sets it touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_INSTANT = timedelta(microseconds=1)


def floor_time(moment: datetime, size: timedelta) -> datetime:
    return _EPOCH + ((moment - _EPOCH) // size) * size


class EventTimeWindows:
    """One brand's windows: ``add`` a mention, get back the windows that closed.

    Args:
        brand: whose mentions these are (part of every bucket key).
        sizes: window name -> size, e.g. ``{"1m": timedelta(minutes=1)}``.
        partitions: how many source partitions may carry the brand.
        state: the brand's small record (marks, next window per size); updated in place.
        buckets: where window counts live, keyed ``brand|window|start`` (``[count,
            negatives]``), and the identity sets, keyed ``brand|seen|start`` (a set while
            in use, stored as a JSON list: :mod:`streams.tables` encodes sets so).
        lateness: how far behind its partition's watermark a mention may arrive.
        idle_s: wall seconds after which a silent partition stops holding the watermark.
        wall: the wall clock (tests pass their own).
    """

    def __init__(self, brand: str, sizes: dict[str, timedelta], partitions: int, state: dict[str, Any] | None,
                 buckets: MutableMapping[str, Any], lateness: timedelta, idle_s: float,
                 wall: Callable[[], float] = time.time):
        self.brand, self.sizes, self.partitions = brand, sizes, partitions
        self.buckets, self.lateness, self.idle_s, self.wall = buckets, lateness, idle_s, wall
        self.state = state or {"marks": {}, "first_wall": wall(), "next": {}}
        self._smallest = min(sizes.values())
        self.late = 0
        self.repeated = 0  # mentions counted already (by identity)

    def add(self, published_at: datetime, negative: bool, partition: int,
            identity: str | None = None) -> list[tuple[str, datetime, int, int]]:
        """Count one mention from ``partition`` (once per ``identity``, a short string unique
        to the mention, when given); return closed windows ``(window, end, count, negative)``."""
        self.count(published_at, negative, partition, identity)
        return self.close()

    def count(self, published_at: datetime, negative: bool, partition: int, identity: str | None = None) -> None:
        """The counting half of :meth:`add`: ``repeated`` then tells whether the mention was
        counted already, before :meth:`close` decides the windows."""
        marks = self.state["marks"]
        mark = marks.get(str(partition))
        newest = max(published_at, datetime.fromisoformat(mark[0])) if mark else published_at
        marks[str(partition)] = [newest.isoformat(), self.wall()]
        keys = []
        for window, size in self.sizes.items():
            start = floor_time(published_at, size)
            first_open = self.state["next"].get(window)
            if first_open and start < datetime.fromisoformat(first_open):
                self.late += 1  # its window was already decided
                continue
            if not first_open:
                self.state["next"][window] = start.isoformat()
            keys.append(self._key(window, start))
        if keys and (identity is None or self._first_time(published_at, identity, keys)):
            for key in keys:
                count, negatives, *legacy = self.buckets.get(key) or [0, 0]
                self.buckets[key] = [count + 1, negatives + int(negative), *legacy]

    def _first_time(self, published_at: datetime, identity: str, keys: list[str]) -> bool:
        """Remember ``identity`` in its smallest window's set; False if it was there already
        (or in the id list an entry kept before the sets existed)."""
        start = floor_time(published_at, self._smallest)
        seen_from = self.state.get("seen_from")
        if seen_from is None or start < datetime.fromisoformat(seen_from):
            self.state["seen_from"] = start.isoformat()
        key = f"{self.brand}|seen|{start.isoformat()}"
        seen = self.buckets.get(key)
        if not isinstance(seen, set):  # a JSON list once stored; a set while this batch works on it
            seen = self.buckets[key] = set(seen or ())
        if identity in seen or any(identity in entry[2] for k in keys if len(entry := self.buckets.get(k) or ()) > 2):
            self.repeated += 1
            return False
        seen.add(identity)
        return True

    def close(self) -> list[tuple[str, datetime, int, int]]:
        """The windows the watermark has passed, as ``(window, end, count, negative)``."""
        watermark = self.watermark()
        if not watermark:
            return []
        closed = self._close(watermark)
        self._forget_seen(watermark)
        return closed

    def _forget_seen(self, watermark: datetime) -> None:
        """Drop the identity sets whose every window has closed: a mention of theirs is late now."""
        seen_from = self.state.get("seen_from")
        if seen_from is None:
            return
        start = datetime.fromisoformat(seen_from)
        # Its last window to close: the one holding its last instant that ends last (sizes
        # need not be multiples of the smallest).
        while max(floor_time(start + self._smallest - _INSTANT, size) + size
                  for size in self.sizes.values()) + self.lateness <= watermark:
            self.buckets.pop(f"{self.brand}|seen|{start.isoformat()}", None)
            start += self._smallest
        self.state["seen_from"] = start.isoformat()

    def watermark(self) -> datetime | None:
        """The slowest active partition's mark; None while a partition may still deliver."""
        now, marks = self.wall(), self.state["marks"]
        active = []
        for partition in range(self.partitions):
            mark = marks.get(str(partition))
            if mark is None:
                if now - self.state["first_wall"] < self.idle_s:
                    return None  # not heard from yet, and it is early: it may be catching up
                continue
            if now - mark[1] < self.idle_s:
                active.append(datetime.fromisoformat(mark[0]))
        if active:
            return min(active)
        return max(datetime.fromisoformat(m[0]) for m in marks.values())

    def _close(self, watermark: datetime) -> list[tuple[str, datetime, int, int]]:
        closed = []
        for window, size in self.sizes.items():
            start = datetime.fromisoformat(self.state["next"][window])
            while start + size + self.lateness <= watermark:
                counts = self.buckets.pop(self._key(window, start), None)
                if counts:  # empty windows: the detector fills the gaps itself
                    closed.append((window, start + size, counts[0], counts[1]))
                start += size
            self.state["next"][window] = start.isoformat()
        return sorted(closed, key=lambda c: (c[1], c[0]))

    def _key(self, window: str, start: datetime) -> str:
        return f"{self.brand}|{window}|{start.isoformat()}"
