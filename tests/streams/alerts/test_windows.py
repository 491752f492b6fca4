"""Event-time windows with a watermark per source partition."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

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
    assert buckets == {f"acme|tally|{T0.isoformat()}": [2, 1, {"a1"}]}
    w.add(T0 + timedelta(hours=1, minutes=3), False, 0)
    assert list(buckets) == [f"acme|tally|{(T0 + timedelta(hours=1)).isoformat()}"]


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


def test_one_tally_per_smallest_window_makes_every_window_and_goes_when_they_closed():
    """A mention changes one entry, its minute's tally; the 5-minute and hour windows are
    sums of tallies. A tally outlives its minute: a mention read again after its minute
    closed is still counted once in its open 5-minute and hour windows."""
    wall, buckets = Wall(), {}
    w = EventTimeWindows("acme", SIZES, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    w.add(T0 + timedelta(seconds=10), True, 0, identity="a1")
    minute_zero = w.add(T0 + timedelta(minutes=1, seconds=5), False, 0, identity="b2")
    assert [(c[0], c[1], c[2], c[3]) for c in minute_zero] == [("1m", T0 + timedelta(minutes=1), 1, 1)]
    assert set(buckets) == {f"acme|tally|{T0.isoformat()}", f"acme|tally|{(T0 + timedelta(minutes=1)).isoformat()}"}
    w.add(T0 + timedelta(minutes=2), False, 0, identity="c3")
    w.add(T0 + timedelta(seconds=20), True, 0, identity="a1")  # late for its minute, read again for the rest
    assert w.repeated == 1 and w.late == 1
    w.add(T0 + timedelta(seconds=30), True, 0, identity="d4")  # late for its minute, new for the rest
    closed = w.add(T0 + timedelta(hours=1), False, 0, identity="e5")
    by_window = {(c[0], c[1]): (c[2], c[3]) for c in closed}
    assert by_window[("5m", T0 + timedelta(minutes=5))] == (4, 2)
    assert by_window[("1h", T0 + timedelta(hours=1))] == (4, 2)
    # The hour closed: its minutes' tallies go; the new hour's first minute stays.
    assert list(buckets) == [f"acme|tally|{(T0 + timedelta(hours=1)).isoformat()}"]


def test_a_tally_stays_until_its_last_window_closes_even_when_that_is_not_the_largest():
    """With 2- and 3-minute windows, minute 2 is in [0, 3) and in [2, 4): [2, 4) ends last."""
    wall, buckets = Wall(), {}
    sizes = {"1m": timedelta(minutes=1), "2m": timedelta(minutes=2), "3m": timedelta(minutes=3)}
    w = EventTimeWindows("acme", sizes, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    w.add(T0 + timedelta(minutes=2, seconds=1), False, 0, identity="a1")
    w.add(T0 + timedelta(minutes=3, seconds=30), False, 0, identity="b2")  # [0, 3) closes
    w.add(T0 + timedelta(minutes=2, seconds=2), False, 0, identity="a1")  # read again: [2, 4) is open
    assert w.repeated == 1
    closed = w.add(T0 + timedelta(minutes=4), False, 0, identity="c3")
    assert ("2m", T0 + timedelta(minutes=4), 2, 0) in closed


def test_window_sizes_must_be_multiples_of_the_smallest():
    with pytest.raises(ValueError, match="multiples"):
        EventTimeWindows("acme", {"2m": timedelta(minutes=2), "3m": timedelta(minutes=3)}, 1, None, {},
                         lateness=timedelta(0), idle_s=60, wall=Wall())


def test_a_crash_between_two_entries_cannot_leave_a_mention_remembered_but_uncounted():
    """The agent's changelog writes of one batch are separate messages; a kill may land
    between them. A mention's count and identity are one entry, so each entry restored
    alone is consistent: here only the tallies survive, the brand's state does not."""
    wall, buckets = Wall(), {}
    w = EventTimeWindows("acme", SIZES, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    for n, identity in enumerate(("a1", "b2", "c3")):
        w.add(T0 + timedelta(minutes=3, seconds=n), n == 0, 0, identity=identity)
    restarted = EventTimeWindows("acme", SIZES, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    for n, identity in enumerate(("a1", "b2", "c3")):  # the batch read again
        restarted.add(T0 + timedelta(minutes=3, seconds=n), n == 0, 0, identity=identity)
    assert restarted.repeated == 3
    closed = restarted.add(T0 + timedelta(hours=1), False, 0, identity="d4")
    assert {(c[0], c[2], c[3]) for c in closed} == {("1m", 3, 1), ("5m", 3, 1), ("1h", 3, 1)}


def test_an_identity_in_an_entry_of_the_older_layout_is_counted_once():
    wall = Wall()
    buckets = {f"acme|1h|{T0.isoformat()}": [2, 1, ["a1", "b2"]]}  # a window's counts and ids, as kept before
    # The brand's state from before tallies: it had counted up to minute 2.
    state = {"marks": {"0": [(T0 + timedelta(minutes=2)).isoformat(), wall()]}, "first_wall": wall(),
             "next": {"1h": T0.isoformat()}}
    w = EventTimeWindows("acme", HOUR, 1, state, buckets, lateness=timedelta(0), idle_s=60, wall=wall)
    w.add(T0 + timedelta(minutes=3), True, 0, identity="b2")
    w.add(T0 + timedelta(minutes=4), False, 0, identity="c3")
    assert w.repeated == 1
    closed = w.add(T0 + timedelta(hours=1), False, 0, identity="d4")
    assert [(c[2], c[3]) for c in closed] == [(3, 1)]


def test_a_mention_dated_far_ahead_is_not_counted_and_moves_no_watermark():
    wall, buckets = Wall(), {}
    wall.now = T0.timestamp()
    w = EventTimeWindows("acme", SIZES, 1, None, buckets, lateness=timedelta(0), idle_s=60, wall=wall,
                         future_s=86400)
    w.add(T0, False, 0, identity="a1")
    assert w.add(datetime(2099, 1, 1, tzinfo=timezone.utc), True, 0, identity="b2") == []
    assert w.future == 1 and w.state["marks"]["0"][0] == T0.isoformat()
    w.add(T0 + timedelta(hours=2), False, 0, identity="c3")  # within a day ahead: counted
    assert w.future == 1 and not any("2099" in key for key in buckets)
