"""Time that counts against an SLA: only the brand's business hours, in its time zone.

A complaint posted on Friday evening and answered Monday at 10:00 waited about 60 hours
by the clock, but one hour of the team's working time: both figures matter, the second
is the fair one for SLAs. Days are walked in local time, so DST changes are handled by
the time zone database, not by arithmetic on UTC offsets.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.settings import BusinessHours

_MAX_DAYS = 3660  # ten years of walking, far beyond any SLA or reply delay we track


def _day_window(day: date, hours: BusinessHours, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    if day.weekday() not in hours.weekdays:
        return None
    start = datetime.combine(day, hours.start, zone)
    end = datetime.combine(day, hours.end, zone)
    return (start, end) if end > start else None


def business_seconds(start: datetime, end: datetime, hours: BusinessHours) -> float:
    """Seconds of business time between ``start`` and ``end`` (0 if ``end`` is not later)."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(hours.timezone)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = 0.0
    for _ in range(_MAX_DAYS):
        if day > last:
            break
        window = _day_window(day, hours, zone)
        if window:
            overlap = min(end, window[1]) - max(start, window[0])
            total += max(0.0, overlap.total_seconds())
        day += timedelta(days=1)
    return total


def add_business_seconds(start: datetime, seconds: float, hours: BusinessHours) -> datetime:
    """The moment when ``seconds`` of business time have passed since ``start``."""
    zone = ZoneInfo(hours.timezone)
    left = max(0.0, seconds)
    day = start.astimezone(zone).date()
    for _ in range(_MAX_DAYS):
        window = _day_window(day, hours, zone)
        if window:
            begin = max(start, window[0])
            available = (window[1] - begin).total_seconds()
            if available > 0:
                if left <= available:
                    return begin + timedelta(seconds=left)
                left -= available
        day += timedelta(days=1)
    # No business day in ten years (an empty weekday list): the SLA never comes due.
    return datetime.max.replace(tzinfo=start.tzinfo)
