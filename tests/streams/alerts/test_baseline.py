"""The seasonal baseline: profile, global fallback, overdispersion, robustness, state."""

import json
import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from streams.alerts.baseline import SeasonalBaseline

START = datetime(2024, 1, 1)  # a Monday
HOUR = timedelta(hours=1)
FIVE = timedelta(minutes=5)


def cycle(t: datetime) -> float:
    """Evening peak at 20:00 (1.6), trough at 08:00 (0.4); weekends at 0.6."""
    daily = 1.0 + 0.6 * math.cos(2 * math.pi * (t.hour + t.minute / 60 + 0.5 - 20) / 24)
    return daily * (0.6 if t.weekday() >= 5 else 1.0)


def feed(base: SeasonalBaseline, step: timedelta, n: int, counts, start: datetime = START) -> datetime:
    t = start
    for i in range(n):
        base.update(t, counts(i, t))
        t += step
    return t


def test_learns_the_daily_and_weekly_cycle() -> None:
    base = SeasonalBaseline(HOUR)
    end = feed(base, HOUR, 24 * 7 * 5, lambda i, t: 100 * cycle(t))
    for t in (end + timedelta(hours=h) for h in range(0, 24 * 7, 5)):
        fc = base.forecast(t)
        assert fc is not None
        assert fc.mean == pytest.approx(100 * cycle(t), rel=0.1), t


def test_global_fallback_while_history_is_short() -> None:
    base = SeasonalBaseline(FIVE)
    assert base.forecast(START) is None
    # Six hours at a steady 12 per window, then ask about an hour never seen.
    end = feed(base, FIVE, 72, lambda i, t: 12)
    fc = base.forecast(end + timedelta(hours=10))
    assert fc is not None and fc.mean == pytest.approx(12, rel=0.01)
    # After one day of a cycle, each hour's factor carries half its weight (prior: one day).
    base = SeasonalBaseline(HOUR)
    end = feed(base, HOUR, 24, lambda i, t: 100 * cycle(t))
    evening = base.forecast(end + timedelta(hours=20))
    assert evening is not None
    level = base.level
    assert level is not None
    assert evening.mean / level == pytest.approx(1 + 0.5 * (1.6 / 1.0 - 1), rel=0.1)


def test_overdispersion_is_estimated_from_the_data() -> None:
    rng = np.random.default_rng(7)
    for alpha in (0.0, 0.3):
        base = SeasonalBaseline(FIVE)
        rates = 50.0 * (rng.gamma(1 / alpha, alpha, 8000) if alpha else np.ones(8000))
        counts = rng.poisson(rates)
        feed(base, FIVE, len(counts), lambda i, t: int(counts[i]))
        assert base.alpha == pytest.approx(alpha, abs=0.03 + 0.2 * alpha)


def test_a_burst_barely_moves_the_baseline() -> None:
    counts = np.random.default_rng(5).poisson(40, 288 * 7)
    moved = {}
    for clip_sd in (4.0, 1e9):
        base = SeasonalBaseline(FIVE, clip_sd=clip_sd)
        end = feed(base, FIVE, len(counts), lambda i, t: int(counts[i]))
        before = base.forecast(end)
        end = feed(base, FIVE, 3, lambda i, t: 4000, start=end)  # three windows at 100x
        after = base.forecast(end)
        assert before is not None and after is not None
        moved[clip_sd] = after.mean / before.mean - 1
        if clip_sd == 4.0:
            assert after.alpha < 0.05
    assert moved[4.0] < 0.1  # winsorised
    assert moved[1e9] > 1.0  # what it would have done otherwise


def test_a_lasting_level_change_is_followed() -> None:
    base = SeasonalBaseline(HOUR)
    end = feed(base, HOUR, 24 * 14, lambda i, t: 100)
    end = feed(base, HOUR, 24 * 7, lambda i, t: 300, start=end)
    fc = base.forecast(end)
    assert fc is not None and fc.mean == pytest.approx(300, rel=0.25)


def test_state_round_trip_is_exact() -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(30, 3000)
    base = SeasonalBaseline(FIVE)
    end = feed(base, FIVE, 2000, lambda i, t: int(counts[i]))
    copy = SeasonalBaseline(FIVE)
    copy.load_state(json.loads(json.dumps(base.to_state())))
    for i in range(2000, 3000):
        t = end + (i - 2000) * FIVE
        assert copy.forecast(t) == base.forecast(t)
        base.update(t, int(counts[i]))
        copy.update(t, int(counts[i]))
    with pytest.raises(ValueError):
        SeasonalBaseline(HOUR).load_state({**base.to_state(), "hour_of_day": [[0.0] * 3] * 3})
