"""Business time: what counts against an SLA."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core.settings import BusinessHours
from streams.replies.business_hours import add_business_seconds, business_seconds

ROME = ZoneInfo("Europe/Rome")
HOURS = BusinessHours()  # Mon-Fri 9-18 Europe/Rome


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


def test_friday_evening_to_monday_morning_counts_only_monday():
    # 2026-11-20 is a Friday.
    assert business_seconds(rome(2026, 11, 20, 19, 0), rome(2026, 11, 23, 10, 0), HOURS) == 3600


def test_within_one_day_and_across_lunch_it_is_the_plain_difference():
    assert business_seconds(rome(2026, 11, 23, 9, 30), rome(2026, 11, 23, 13, 45), HOURS) == 4.25 * 3600


def test_a_weekend_message_answered_on_sunday_costs_nothing():
    assert business_seconds(rome(2026, 11, 21, 10, 0), rome(2026, 11, 22, 18, 0), HOURS) == 0


def test_dst_change_is_handled_in_local_time():
    # Monday 2026-03-30 follows the spring change: business day still 9 hours.
    assert business_seconds(rome(2026, 3, 27, 18, 0), rome(2026, 3, 30, 18, 0), HOURS) == 9 * 3600


def test_sla_due_moves_over_the_weekend():
    due = add_business_seconds(rome(2026, 11, 20, 16, 0), 4 * 3600, HOURS)
    assert due == rome(2026, 11, 23, 11, 0)


def test_utc_inputs_are_read_in_the_brands_zone():
    start = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)  # 09:00 in Rome
    assert business_seconds(start, start + timedelta(hours=2), HOURS) == 7200


def test_other_hours_and_days_are_honoured():
    weekend_shop = BusinessHours(timezone="UTC", start=time(10), end=time(12), weekdays=[5, 6])
    start = datetime(2026, 11, 20, tzinfo=timezone.utc)  # Friday
    assert business_seconds(start, start + timedelta(days=3), weekend_shop) == 4 * 3600


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(timezone.utc)),
       st.floats(0, 300_000))
def test_adding_then_measuring_business_time_round_trips(start, seconds):
    due = add_business_seconds(start, seconds, HOURS)
    assert due >= start
    assert abs(business_seconds(start, due, HOURS) - seconds) < 1e-3
    assert business_seconds(start, due, HOURS) <= (due - start).total_seconds() + 1e-6
