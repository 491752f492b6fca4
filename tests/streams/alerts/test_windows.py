"""Event-time windows with a watermark per source partition."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from streams.alerts.windows import EventTimeWindows

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
HOUR = {"1h": timedelta(hours=1)}


class Wall:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def windows(partitions: int, wall: Wall, buckets: dict | None = None) -> EventTimeWindows:
    return EventTimeWindows("acme", HOUR, partitions, None, {} if buckets is None else buckets,
                            lateness=timedelta(minutes=2), idle_s=60, wall=wall)


def test_a_window_waits_for_the_slowest_partition():
    wall = Wall()
    w = windows(2, wall)
    assert w.add(T0 + timedelta(minutes=5), False, 0) == []
    # Partition 0 races a day ahead (a backfill); partition 1 has not delivered yet.
    assert w.add(T0 + timedelta(hours=24), False, 0) == []
    assert w.add(T0 + timedelta(minutes=30), True, 1) == []  # not late: its partition is behind
    closed = w.add(T0 + timedelta(hours=3), False, 1)
    assert [(c[0], c[1], c[2], c[3]) for c in closed] == [("1h", T0 + timedelta(hours=1), 2, 1)]
    assert w.late == 0


def test_a_silent_partition_stops_holding_windows_after_idle_s():
    wall = Wall()
    w = windows(2, wall)
    w.add(T0, False, 0)
    assert w.add(T0 + timedelta(hours=2), False, 0) == []  # partition 1 may still be catching up
    wall.now += 61
    closed = w.add(T0 + timedelta(hours=2, minutes=5), False, 0)
    assert [c[1] for c in closed] == [T0 + timedelta(hours=1)]


def test_a_mention_for_a_decided_window_is_late_and_counted_as_such():
    wall = Wall()
    w = windows(1, wall)
    w.add(T0, False, 0)
    w.add(T0 + timedelta(hours=2), False, 0)
    assert w.add(T0 + timedelta(minutes=10), False, 0) == [] and w.late == 1


def test_counts_live_in_the_callers_mapping_one_entry_per_window_and_go_when_closed():
    wall, buckets = Wall(), {}
    w = windows(1, wall, buckets)
    w.add(T0 + timedelta(minutes=1), True, 0, identity="a1")
    w.add(T0 + timedelta(minutes=2), False, 0)
    assert buckets == {f"acme|1h|{T0.isoformat()}": [2, 1], f"acme|seen|{T0.isoformat()}": {"a1"}}
    w.add(T0 + timedelta(hours=1, minutes=3), False, 0)
    assert list(buckets) == [f"acme|1h|{(T0 + timedelta(hours=1)).isoformat()}"]


def test_a_mention_read_again_is_counted_once():
    wall, buckets = Wall(), {}
    w = windows(1, wall, buckets)
    for identity in ("a1", "b2", "a1", "c3", "b2"):  # a crash's re-read, a re-sent enrichment
        w.add(T0 + timedelta(minutes=1), identity == "a1", 0, identity=identity)
    assert w.repeated == 2
    closed = w.add(T0 + timedelta(hours=1, minutes=3), False, 0, identity="d4")
    assert [(c[2], c[3]) for c in closed] == [(3, 1)]


def test_counting_resumes_from_the_changelogged_entry_not_from_zero():
    """A restarted worker reads its open windows back from the table (the identity sets as
    the JSON lists they are stored as): what they counted stays counted, and a window
    written before identities were kept counts on."""
    wall, buckets = Wall(), {}
    w = windows(1, wall, buckets)
    w.add(T0 + timedelta(minutes=1), False, 0, identity="a1")
    buckets = {key: sorted(value) if isinstance(value, set) else value for key, value in buckets.items()}
    restarted = EventTimeWindows("acme", HOUR, 1, w.state, buckets, lateness=timedelta(minutes=2), idle_s=60, wall=wall)
    restarted.add(T0 + timedelta(minutes=1), False, 0, identity="a1")
    buckets["acme|1h|" + (T0 + timedelta(hours=1)).isoformat()] = [5, 2]  # the old two-item entry
    restarted.add(T0 + timedelta(hours=1, minutes=1), True, 0, identity="e5")
    closed = restarted.add(T0 + timedelta(hours=2, minutes=3), False, 0, identity="f6")
    assert [(c[1], c[2], c[3]) for c in closed] == [(T0 + timedelta(hours=1), 1, 0), (T0 + timedelta(hours=2), 6, 3)]
    assert restarted.repeated == 1


def test_count_tells_whether_the_mention_was_counted_already_before_windows_close():
    wall = Wall()
    w = windows(1, wall)
    w.count(T0 + timedelta(minutes=1), False, 0, identity="a1")
    assert w.repeated == 0
    w.count(T0 + timedelta(minutes=1), False, 0, identity="a1")
    assert w.repeated == 1
    w.count(T0 + timedelta(hours=1, minutes=3), False, 0, identity="b2")
    assert [(c[2], c[3]) for c in w.close()] == [(1, 0)]


SIZES = {"1m": timedelta(minutes=1), "5m": timedelta(minutes=5), "1h": timedelta(hours=1)}


def test_identities_are_kept_per_smallest_window_until_the_largest_closes():
    """One set per minute, not a list per window: a batch rewrites only the minutes it
    touched. A minute's set outlives the minute: a mention read again after its minute
    closed is still counted once in its open 5-minute and hour windows."""
    wall, buckets = Wall(), {}
    w = EventTimeWindows("acme", SIZES, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    w.add(T0 + timedelta(seconds=10), True, 0, identity="a1")
    minute_zero = w.add(T0 + timedelta(minutes=1, seconds=5), False, 0, identity="b2")
    assert [(c[0], c[1], c[2], c[3]) for c in minute_zero] == [("1m", T0 + timedelta(minutes=1), 1, 1)]
    assert {k for k in buckets if "|seen|" in k} == {f"acme|seen|{T0.isoformat()}",
                                                     f"acme|seen|{(T0 + timedelta(minutes=1)).isoformat()}"}
    w.add(T0 + timedelta(minutes=2), False, 0, identity="c3")
    w.add(T0 + timedelta(seconds=20), True, 0, identity="a1")  # late for its minute, re-read for the rest
    assert w.repeated == 1 and w.late == 1
    w.add(T0 + timedelta(seconds=30), True, 0, identity="d4")  # late for its minute, new for the rest
    closed = w.add(T0 + timedelta(hours=1), False, 0, identity="e5")
    by_window = {(c[0], c[1]): (c[2], c[3]) for c in closed}
    assert by_window[("5m", T0 + timedelta(minutes=5))] == (4, 2)
    assert by_window[("1h", T0 + timedelta(hours=1))] == (4, 2)
    # The hour closed: every set of its minutes goes; the new hour's first minute stays.
    assert [k for k in buckets if "|seen|" in k] == [f"acme|seen|{(T0 + timedelta(hours=1)).isoformat()}"]


def test_an_identity_in_an_entry_written_before_the_sets_is_counted_once():
    wall = Wall()
    buckets = {f"acme|1h|{T0.isoformat()}": [2, 1, ["a1", "b2"]]}  # counts and ids, as kept before
    w = EventTimeWindows("acme", HOUR, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    w.add(T0 + timedelta(minutes=3), True, 0, identity="b2")
    w.add(T0 + timedelta(minutes=4), False, 0, identity="c3")
    assert w.repeated == 1
    closed = w.add(T0 + timedelta(hours=1), False, 0, identity="d4")
    assert [(c[2], c[3]) for c in closed] == [(3, 1)]
