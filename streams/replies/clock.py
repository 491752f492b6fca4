"""The SLA clock: stream time when mentions flow, wall time (less a grace) when they don't.

Stream time (the newest mention time seen) makes a replayed or backfilled stream judge
SLAs as they were then, not as of today; the wall clock minus a grace keeps SLAs coming
due through a quiet night. A mention stamped in the future cannot push the clock ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

_FUTURE_SLACK = timedelta(minutes=5)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SlaClock:
    def __init__(self, grace_s: float, wall: Callable[[], datetime] = _utc_now):
        self.grace = timedelta(seconds=grace_s)
        self.wall = wall
        self.stream_time: datetime | None = None

    def saw(self, published_at: datetime) -> None:
        capped = min(published_at, self.wall() + _FUTURE_SLACK)
        if self.stream_time is None or capped > self.stream_time:
            self.stream_time = capped

    def now(self) -> datetime:
        lagging_wall = self.wall() - self.grace
        return max(self.stream_time, lagging_wall) if self.stream_time else lagging_wall
