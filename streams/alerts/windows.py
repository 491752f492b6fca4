"""Tumbling windows in event time, fed by several Kafka partitions at different speeds.

Each mention counts in its brand's window of each size by its own ``published_at``. A
window closes once every source partition carrying the brand is past its end plus
``lateness``, so a replay that delivers one partition a day ahead of another still counts
every mention; a partition silent for ``idle_s`` of wall time stops holding it back.

Counts live in the caller's mapping (a Faust table, a dict in tests) as one *tally* per
brand and smallest window (``brand|tally|start``: count, negatives, identities), which a
larger window sums. A mention changes one entry only, and counts once per identity however
often it comes (delivery is at least once). Entries of the older per-window layout
(``brand|window|start``) still count, their identities once."""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from datetime import datetime, timedelta, timezone
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def floor_time(moment: datetime, size: timedelta) -> datetime:
    return _EPOCH + ((moment - _EPOCH) // size) * size


def check_sizes(sizes: dict[str, timedelta]) -> None:
    """Raise ValueError unless every window size is a multiple of the smallest: a larger
    window must be made of whole tallies."""
    smallest = min(sizes.values())
    odd = [name for name, size in sizes.items() if size % smallest]
    if odd:
        raise ValueError(f"window sizes {odd} are not multiples of the smallest ({smallest})")


class EventTimeWindows:
    """One brand's windows: ``add`` a mention, get back the windows that closed.

    Args:
        brand: whose mentions these are (part of every entry's key).
        sizes: window name -> size, e.g. ``{"1m": timedelta(minutes=1)}``; multiples of the smallest.
        partitions: how many source partitions may carry the brand.
        state: the brand's small record (marks, next window per size); updated in place.
        buckets: where the tallies live, keyed ``brand|tally|start``, each ``[count,
            negatives, identities]`` (a set while in use, stored as a JSON list:
            :mod:`streams.faust_patches.tables` encodes sets so).
        lateness: how far behind its partition's watermark a mention may arrive.
        idle_s: wall seconds after which a silent partition stops holding the watermark.
        future_s: a mention dated more than this ahead of the wall clock is not counted
            (``future`` counts them): one dated 2099 by a broken feed would move its
            partition's watermark there, and once the others idled every window up to
            2099 would be closed, one by one. None: no limit.
        wall: the wall clock (tests pass their own).
    """

    def __init__(self, brand: str, sizes: dict[str, timedelta], partitions: int, state: dict[str, Any] | None,
                 buckets: MutableMapping[str, Any], lateness: timedelta, idle_s: float,
                 wall: Callable[[], float] = time.time, future_s: float | None = None):
        check_sizes(sizes)
        self.brand, self.sizes, self.partitions = brand, sizes, partitions
        self.buckets, self.lateness, self.idle_s, self.wall = buckets, lateness, idle_s, wall
        self.state = state or {"marks": {}, "first_wall": wall(), "next": {}, "legacy_until": ""}
        if "legacy_until" not in self.state:
            # A state from before tallies: entries of the older layout may exist for the
            # windows that were open then, none of them starting after its newest mention.
            marks = self.state["marks"].values()
            self.state["legacy_until"] = max((m[0] for m in marks), key=datetime.fromisoformat, default="")
        self._smallest = min(sizes.values())
        self.future_s = future_s
        self.late = 0
        self.future = 0  # mentions dated too far ahead: not counted
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
        if self.future_s is not None and published_at.timestamp() > self.wall() + self.future_s:
            self.future += 1
            return
        marks = self.state["marks"]
        mark = marks.get(str(partition))
        newest = max(published_at, datetime.fromisoformat(mark[0])) if mark else published_at
        marks[str(partition)] = [newest.isoformat(), self.wall()]
        open_windows = []
        for window, size in self.sizes.items():
            start = floor_time(published_at, size)
            first_open = self.state["next"].get(window)
            if first_open and start < datetime.fromisoformat(first_open):
                self.late += 1  # its window was already decided
                continue
            if not first_open:
                self.state["next"][window] = start.isoformat()
            open_windows.append((window, start))
        if open_windows:  # empty when it is late for every window: nothing to count it in
            self._tally(floor_time(published_at, self._smallest), negative, identity, open_windows)

    def _tally(self, start: datetime, negative: bool, identity: str | None, open_windows: list) -> None:
        if "tally_from" not in self.state or start < datetime.fromisoformat(self.state["tally_from"]):
            self.state["tally_from"] = start.isoformat()
        key = self._tally_key(start)
        count, negatives, ids = self.buckets.get(key) or (0, 0, ())
        ids = ids if isinstance(ids, set) else set(ids)
        if identity is not None:
            if identity in ids or self._counted_before_tallies(identity, open_windows):
                self.repeated += 1
                return
            ids.add(identity)
        self.buckets[key] = [count + 1, negatives + int(negative), ids]

    def _counted_before_tallies(self, identity: str, open_windows: list) -> bool:
        """Whether an entry of the older layout (one per window, with its identities) has it."""
        until = self.state["legacy_until"]
        if not until:
            return False
        for window, start in open_windows:
            if start <= datetime.fromisoformat(until):
                entry = self.buckets.get(self._key(window, start)) or ()
                if len(entry) > 2 and identity in entry[2]:
                    return True
        return False

    def close(self) -> list[tuple[str, datetime, int, int]]:
        """The windows the watermark has passed, as ``(window, end, count, negative)``."""
        watermark = self.watermark()
        if not watermark:
            return []
        closed = self._close(watermark)
        self._drop_tallies(watermark)
        return closed

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
                count, negatives = self._window_counts(window, start, size)
                if count:  # empty windows: the detector fills the gaps itself
                    closed.append((window, start + size, count, negatives))
                start += size
            self.state["next"][window] = start.isoformat()
        return sorted(closed, key=lambda c: (c[1], c[0]))

    def _window_counts(self, window: str, start: datetime, size: timedelta) -> tuple[int, int]:
        """A window's count and negatives: its tallies' sums (plus an older layout's entry)."""
        count, negatives, *_ = self.buckets.pop(self._key(window, start), None) or (0, 0)
        tally = start
        while tally < start + size:
            found = self.buckets.get(self._tally_key(tally))
            if found:
                count, negatives = count + found[0], negatives + found[1]
            tally += self._smallest
        return count, negatives

    def _drop_tallies(self, watermark: datetime) -> None:
        """Drop the tallies whose every window has closed: a mention of theirs is late now."""
        if "tally_from" not in self.state:
            return
        start = datetime.fromisoformat(self.state["tally_from"])
        # The last of its windows to close (with 1m, 2m and 3m, not always the largest).
        while max(floor_time(start, size) + size for size in self.sizes.values()) + self.lateness <= watermark:
            self.buckets.pop(self._tally_key(start), None)
            start += self._smallest
        self.state["tally_from"] = start.isoformat()

    def _key(self, window: str, start: datetime) -> str:
        return f"{self.brand}|{window}|{start.isoformat()}"

    def _tally_key(self, start: datetime) -> str:
        return f"{self.brand}|tally|{start.isoformat()}"
