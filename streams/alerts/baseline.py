"""The expected count of a window: a level times an hour-of-week profile, learnt by EWMA.

``expected = level * hour_of_day * day_of_week * hour_of_week``, Holt-Winters style
(multiplicative season, no trend), every average an exponentially weighted one, so the
state is a fixed set of numbers whatever the history:

* **level** -- the deseasonalised volume, half-life ``level_half_life`` (default 3 days): it
  follows a brand growing or fading within days, which a plain per-slot average updated
  once a week would take weeks to do, yet a one-day storm does not become the new normal.
* **profile** -- the hour-of-week factor, estimated hierarchically because a slot of the
  168 sees a brand only once a week: an hour-of-day factor (learnt from every day), times a
  day-of-week factor (weekends), times a residual per hour of week. Each is shrunk towards 1
  -- the *global fallback* -- while it has little history (``1/(1 + prior/history)``: half
  weight after one day for the hour of day, one week for the day of week, four weeks for
  the residual). So a young detector compares with the global level, knows the evening
  peak within a day or two and the weekend dip within a few weeks, and a normal evening
  peak is never a spike. Each factor is a ratio of two EWMAs (counts over what the coarser
  model expected), which stays well behaved for a brand with a few mentions an hour, where
  most windows count 0.
* **overdispersion** ``alpha`` -- social volume is burstier than Poisson. Method of moments
  for a negative binomial with varying means, ``E[(x - mu)^2 - x] = alpha * E[mu^2]``, both
  sides as EWMAs (half-life ``dispersion_half_life``). The profile's own errors land in
  ``alpha`` too, which is what a test against this baseline must allow for.

Every update uses the count *winsorised* at ``mu + clip_sd * sd + 1`` (4 sd): a spike moves
the level and profile only as much as a plausible window would, so a burst does not raise
the next day's expectation, while a lasting change of level still gets through at that
capped rate. The dispersion is stricter, at ``dispersion_clip_sd`` (3 sd, and divided by
what that capping removes from a normal variance, 0.9975): a squared residual amplifies an
outlier, so with 4 sd a brand spiking in 6 % of its windows would see its alpha grow
without bound and the detector go deaf; at 3 sd a spike adds at most 9 variances, and a
3 % spike rate inflates alpha by about a third.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

HOUR_S = 3600.0
DAY_S = 24 * HOUR_S
WEEK_S = 7 * DAY_S


def _weight(step_s: float, half_life_s: float) -> float:
    """EWMA weight of one new value arriving every step_s seconds, for the given half-life."""
    return 1.0 - 2.0 ** (-step_s / half_life_s)


@dataclass(frozen=True)
class Forecast:
    """The baseline's prediction for one window: NB mean and overdispersion."""

    mean: float
    alpha: float
    history_s: float  # seconds of history behind it

    @property
    def sd(self) -> float:
        return math.sqrt(self.mean + self.alpha * self.mean**2)


class _Profile:
    """Multiplicative factors per slot: EWMA of counts over EWMA of what was expected.

    ``slot_s`` is how many seconds of a period a slot covers (an hour of a day, a day of a
    week...): a slot is open that long per period, so its half-life is counted in its own
    open time and every slot forgets at the same calendar pace.
    """

    def __init__(
        self, slots: int, window_s: float, half_life_s: float, period_s: float, slot_s: float, prior: float
    ) -> None:
        self.weight = _weight(window_s, half_life_s / period_s * slot_s)
        self.window_s = window_s
        self.slot_s = slot_s
        self.prior = prior  # periods of history for half weight
        self.x = [0.0] * slots
        self.e = [0.0] * slots
        self.seen_s = [0.0] * slots

    def factor(self, slot: int) -> float:
        if self.e[slot] <= 0.0:
            return 1.0
        periods = self.seen_s[slot] / self.slot_s
        shrink = periods / (periods + self.prior)
        return 1.0 + shrink * (self.x[slot] / self.e[slot] - 1.0)

    def update(self, slot: int, count: float, expected: float) -> None:
        w = self.weight
        self.x[slot] += w * (count - self.x[slot])
        self.e[slot] += w * (expected - self.e[slot])
        self.seen_s[slot] += self.window_s

    def to_state(self) -> list[list[float]]:
        return [list(self.x), list(self.e), list(self.seen_s)]

    def load_state(self, state: list[list[float]]) -> None:
        x, e, seen = state
        if not len(x) == len(e) == len(seen) == len(self.x):
            raise ValueError(f"profile state has {len(x)} slots, expected {len(self.x)}")
        self.x, self.e, self.seen_s = [float(v) for v in x], [float(v) for v in e], [float(v) for v in seen]


class SeasonalBaseline:
    """Level x hour-of-week profile with a global fallback, and an overdispersion estimate.

    Fed one window at a time (``update``), in time order, zeros included; ``forecast`` gives
    the expectation for a window starting at ``start`` from what came before.
    """

    def __init__(
        self,
        window: timedelta,
        *,
        level_half_life: timedelta = timedelta(days=3),
        daily_half_life: timedelta = timedelta(days=7),
        weekly_half_life: timedelta = timedelta(weeks=4),
        dispersion_half_life: timedelta = timedelta(days=7),
        clip_sd: float = 4.0,
        dispersion_clip_sd: float = 3.0,
        initial_alpha: float = 0.1,
        max_alpha: float = 10.0,
    ) -> None:
        self.window_s = w = window.total_seconds()
        if w <= 0:
            raise ValueError("window must be positive")
        self._w_level = _weight(w, level_half_life.total_seconds())
        self._w_disp = _weight(w, dispersion_half_life.total_seconds())
        weekly_s = weekly_half_life.total_seconds()
        self.hour_of_day = _Profile(24, w, daily_half_life.total_seconds(), DAY_S, HOUR_S, prior=1.0)
        self.day_of_week = _Profile(7, w, weekly_s, WEEK_S, DAY_S, prior=1.0)
        self.hour_of_week = _Profile(168, w, weekly_s, WEEK_S, HOUR_S, prior=4.0)
        self.clip_sd = clip_sd
        self.dispersion_clip_sd = dispersion_clip_sd
        self._consistency = _winsorised_variance(dispersion_clip_sd)
        self.initial_alpha = initial_alpha
        self.max_alpha = max_alpha
        # Level: EWMA of counts over EWMA of the factors they were seen under.
        self.level_x = 0.0
        self.level_f = 0.0
        self.disp_num = 0.0
        self.disp_den = 0.0
        self.history_s = 0.0

    # -- prediction ---------------------------------------------------------------------

    @property
    def level(self) -> float | None:
        """Mean count per window, seasonality removed; None before any data."""
        return self.level_x / self.level_f if self.level_f > 0.0 else None

    @property
    def alpha(self) -> float:
        if self.disp_den <= 0.0:
            return self.initial_alpha
        return min(self.max_alpha, max(0.0, self.disp_num / self.disp_den))

    def peak(self) -> float:
        """The brand's normal busiest window: the level at its busiest hour of the day."""
        level = self.level
        if level is None:
            return 0.0
        return level * max(self.hour_of_day.factor(hour) for hour in range(24))

    def _factors(self, hour: int, day: int, slot: int) -> tuple[float, float, float]:
        return self.hour_of_day.factor(hour), self.day_of_week.factor(day), self.hour_of_week.factor(slot)

    def forecast(self, start: datetime) -> Forecast | None:
        """The expected count of the window starting at ``start``; None before any data."""
        level = self.level
        if level is None:
            return None
        daily, dow, weekly = self._factors(*_slots(start, self.window_s))
        mean = max(level * daily * dow * weekly, 1e-9)
        return Forecast(mean=mean, alpha=self.alpha, history_s=self.history_s)

    # -- learning -----------------------------------------------------------------------

    def update(self, start: datetime, count: float) -> None:
        """Learn from the window starting at ``start`` that held ``count`` items."""
        hour, day, slot = _slots(start, self.window_s)
        daily, dow, weekly = self._factors(hour, day, slot)
        fc = self.forecast(start)
        x = float(count)
        if fc is not None:
            xd = min(x, fc.mean + self.dispersion_clip_sd * fc.sd + 1.0)
            x = min(x, fc.mean + self.clip_sd * fc.sd + 1.0)
            w = self._w_disp
            self.disp_num += w * ((xd - fc.mean) ** 2 / self._consistency - xd - self.disp_num)
            self.disp_den += w * (fc.mean**2 - self.disp_den)
        level = self.level
        if level is None:
            level = x / (daily * dow * weekly)
        w = self._w_level
        self.level_x += w * (x - self.level_x)
        self.level_f += w * (daily * dow * weekly - self.level_f)
        self.hour_of_day.update(hour, x, level)
        self.day_of_week.update(day, x, level * daily)
        self.hour_of_week.update(slot, x, level * daily * dow)
        self.history_s += self.window_s

    # -- state --------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """The learnt numbers as a JSON-able dict (the parameters come from the settings)."""
        return {
            "level": [self.level_x, self.level_f],
            "dispersion": [self.disp_num, self.disp_den],
            "history_s": self.history_s,
            "hour_of_day": self.hour_of_day.to_state(),
            "day_of_week": self.day_of_week.to_state(),
            "hour_of_week": self.hour_of_week.to_state(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        self.level_x, self.level_f = (float(v) for v in state["level"])
        self.disp_num, self.disp_den = (float(v) for v in state["dispersion"])
        self.history_s = float(state["history_s"])
        self.hour_of_day.load_state(state["hour_of_day"])
        self.day_of_week.load_state(state["day_of_week"])
        self.hour_of_week.load_state(state["hour_of_week"])


def _winsorised_variance(c: float) -> float:
    """E[min(Z, c)^2] for a standard normal Z: what capping at c sd leaves of the variance."""
    tail = 0.5 * math.erfc(c / math.sqrt(2.0))
    density = math.exp(-c * c / 2.0) / math.sqrt(2.0 * math.pi)
    return 1.0 - c * density - tail + c * c * tail


def _slots(start: datetime, window_s: float) -> tuple[int, int, int]:
    """Hour of day, day of week and hour of week of a window, taken at its middle.

    The clock is the datetime's own (UTC or a brand's zone): a profile only needs one
    consistent clock.
    """
    mid = start + timedelta(seconds=window_s / 2)
    return mid.hour, mid.weekday(), mid.weekday() * 24 + mid.hour
