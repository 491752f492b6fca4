"""The spike detector on synthetic streams with a daily and weekly cycle and known spikes."""

import json
import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from streams.alerts.spike_detector import Alert, SpikeDetector, SpikeSettings, parse_window

START = datetime(2024, 1, 1)  # a Monday


def cycle(t: datetime) -> float:
    """Evening peak at 20:00 (1.6), trough at 08:00 (0.4); weekends at 0.6."""
    daily = 1.0 + 0.6 * math.cos(2 * math.pi * (t.hour + t.minute / 60 - 20) / 24)
    return daily * (0.6 if t.weekday() >= 5 else 1.0)


def stream(
    window: str,
    days: float,
    base: float,
    seed: int,
    alpha: float = 0.05,
    spikes: dict[int, float] | None = None,
    spike_windows: int = 3,
    share: float = 0.15,
    share_shifts: dict[int, float] | None = None,
    share_windows: int = 6,
) -> list[tuple[datetime, int, int]]:
    """(window end, count, negatives): gamma-Poisson counts around ``base * cycle``.

    ``spikes`` adds ``extra`` mentions per window for ``spike_windows`` windows from each
    given window index; ``share_shifts`` sets the negative share for ``share_windows``
    windows from each index, the volume untouched.
    """
    rng = np.random.default_rng(seed)
    size = parse_window(window)
    n = int(days * timedelta(days=1) / size)
    per_window = base * size / timedelta(minutes=5)
    rows = []
    for i in range(n):
        start = START + i * size
        mean = per_window * cycle(start + size / 2)
        for onset, extra in (spikes or {}).items():
            if onset <= i < onset + spike_windows:
                mean += extra
        count = int(rng.poisson(mean * rng.gamma(1 / alpha, alpha)))
        p = share
        for onset, shifted in (share_shifts or {}).items():
            if onset <= i < onset + share_windows:
                p = shifted
        rows.append((start + size, count, int(rng.binomial(count, p))))
    return rows


def run(det: SpikeDetector, rows, with_negatives: bool = True) -> list[Alert]:
    alerts = []
    for end, count, negative in rows:
        alerts += det.observe(end, count, negative if with_negatives else None)
    return alerts


def spike_onsets(window: str, days: float, seed: int, count: int) -> list[int]:
    """Spike starts at random times of day, from day 3 on, at least 30 hours apart."""
    rng = np.random.default_rng(seed)
    per_hour = timedelta(hours=1) / parse_window(window)
    onsets, hour = [], 72.0
    while len(onsets) < count and hour < days * 24 - 6:
        onsets.append(int(hour * per_hour))
        hour += 30 + rng.uniform(0, 14)
    return onsets


@pytest.mark.parametrize(("window", "days", "length"), [("5m", 35, 3), ("1h", 60, 1)])
def test_injected_spikes_are_found_quickly_and_nothing_else(window: str, days: int, length: int) -> None:
    base = 20.0  # mentions per 5 minutes at the daily mean
    onsets = spike_onsets(window, days, seed=11, count=60)
    size = parse_window(window)
    peak = 1.6 * base * size / timedelta(minutes=5)
    # Each spike adds four times the normal busiest window, evening or night alike, for
    # 15 minutes (5m) or an hour (1h).
    rows = stream(window, days, base, seed=1, spikes={i: 4 * peak for i in onsets}, spike_windows=length)
    alerts = [a for a in run(SpikeDetector(window), rows) if a.kind == "volume_spike"]
    ends = [end for end, _, _ in rows]
    found, true_alerts = {}, 0
    for alert in alerts:
        index = ends.index(alert.at)
        hit = [o for o in onsets if o <= index < o + length]
        if hit:
            true_alerts += 1
            found.setdefault(hit[0], index - hit[0])
    precision = true_alerts / len(alerts)
    recall = len(found) / len(onsets)
    print(f"\n{window}: {len(onsets)} spikes, {len(alerts)} alerts, precision {precision:.2f}, recall {recall:.2f}")
    assert len(onsets) >= 20
    assert precision >= 0.9
    assert recall >= 0.9
    # Detected in the spike's first or second window.
    assert all(delay <= 1 for delay in found.values()), found


@pytest.mark.parametrize("window", ["1m", "5m", "1h"])
def test_a_normal_evening_peak_is_not_a_spike(window: str) -> None:
    # A strong cycle (evening 4x the morning) with overdispersed noise, weeks of it.
    days = {"1m": 10, "5m": 28, "1h": 56}[window]
    rows = stream(window, days, base=30.0, seed=2, alpha=0.1)
    assert run(SpikeDetector(window), rows) == []


def test_warmup_and_global_fallback() -> None:
    # A spike on day 2: the profile is still half learnt, the detector falls back on the
    # global level and still finds a tenfold burst, but nothing in the first day.
    rows = stream("5m", 3, 20.0, seed=4, spikes={60: 400.0, 400: 400.0})
    alerts = run(SpikeDetector("5m"), rows)
    volume = [a for a in alerts if a.kind == "volume_spike"]
    assert [a.at for a in volume] == [rows[401][0]]


def test_cooldown_and_escalation() -> None:
    day3 = 3 * 288
    spikes = {
        day3 + 240: 150.0,  # 20:00, about 5x the evening: high
        day3 + 270: 150.0,  # 22:30, no worse: inside the cooldown
        day3 + 300: 600.0,  # 01:00, about 30x the night: escalates to critical
        day3 + 288 + 270: 150.0,  # the next evening, still within a day of the escalation
        day3 + 2 * 288 + 200: 150.0,  # a day later: a new alert
    }
    rows = stream("5m", 6, 20.0, seed=5, spikes=spikes)
    ends = [end for end, _, _ in rows]
    alerts = [a for a in run(SpikeDetector("5m"), rows) if a.kind == "volume_spike"]
    assert [ends.index(a.at) for a in alerts] == [day3 + 241, day3 + 301, day3 + 2 * 288 + 201]
    assert [a.escalation for a in alerts] == [False, True, False]
    assert [a.severity for a in alerts[:2]] == ["high", "critical"]


def test_negative_share_rise_without_volume_spike() -> None:
    onset = 4 * 288 + 150
    rows = stream("5m", 6, 40.0, seed=6, share=0.1, share_shifts={onset: 0.5}, share_windows=8)
    ends = [end for end, _, _ in rows]
    alerts = run(SpikeDetector("5m"), rows)
    assert [a.kind for a in alerts] == ["negative_share"]
    alert = alerts[0]
    assert onset + 1 <= ends.index(alert.at) <= onset + 2
    assert alert.total is not None and alert.observed / alert.total > 0.3
    assert alert.ratio > 3 and alert.severity == "critical"
    # The same rise riding a volume spike is a negative spike instead.
    rows = stream("5m", 6, 40.0, seed=6, share=0.1, share_shifts={onset: 0.5}, share_windows=8,
                  spikes={onset: 300.0}, spike_windows=8)  # fmt: skip
    kinds = sorted(a.kind for a in run(SpikeDetector("5m"), rows))
    assert kinds == ["negative_spike", "volume_spike"]


@pytest.mark.parametrize("cut", [1500, 2300, 4 * 288 + 101])
def test_state_round_trip_gives_the_same_decisions_and_no_repeat(cut: int) -> None:
    onsets = [2 * 288 + 40, 3 * 288 + 200, 4 * 288 + 100, 5 * 288 + 10]
    rows = stream("5m", 6, 20.0, seed=8, spikes={i: 300.0 for i in onsets}, share_shifts={3 * 288 + 20: 0.6})
    settings = SpikeSettings()
    whole = run(SpikeDetector("5m", settings), rows)
    assert len(whole) >= 4
    first = SpikeDetector("5m", settings)
    before = run(first, rows[:cut])
    state = json.loads(json.dumps(first.to_state()))
    restored = SpikeDetector.from_state(state, settings)
    # After a crash the stream is replayed from an earlier committed offset.
    replayed = run(restored, rows[cut - 50 : cut])
    after = run(restored, rows[cut:])
    assert replayed == []
    assert before + after == whole


def test_bad_input_and_replays() -> None:
    det = SpikeDetector("5m")
    with pytest.raises(ValueError):
        det.observe(START, 3, 4)
    with pytest.raises(ValueError):
        SpikeDetector("5x")
    det.observe(START, 3)
    assert det.observe(START, 500) == []  # the same window again: already decided
    with pytest.raises(ValueError):
        SpikeDetector.from_state({**det.to_state(), "version": 99})


def test_gaps_are_empty_windows_and_long_gaps_an_outage() -> None:
    rows = stream("5m", 4, 20.0, seed=9)
    det = SpikeDetector("5m")
    run(det, rows[:-10])
    before = det.baseline.history_s
    det.observe(rows[-1][0], rows[-1][1])  # nine windows never emitted
    assert det.baseline.history_s - before == 10 * 300
    det.observe(rows[-1][0] + timedelta(days=3), 20)  # an outage is not three days of zeros
    assert det.baseline.history_s - before == 11 * 300
