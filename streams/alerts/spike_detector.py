"""The spike detector: one instance per brand and window size, fed one closed window at a time.

Three kinds of alert: ``volume_spike`` (all mentions), ``negative_spike`` (negative ones) and
``negative_share`` (the share of negatives rises while the volume does not). For each:

1. **Significance.** The window's count is tested against the baseline
   (:mod:`streams.alerts.baseline`) with the negative-binomial upper tail, its
   overdispersion learnt from the brand's own data. Negatives are expected at ``expected
   volume * baseline share`` with the same overdispersion (thinning a gamma-Poisson count
   keeps its alpha). The share is tested with the binomial tail of ``negatives | total``.
2. **Persistence, as accumulated evidence (a CUSUM of surprise).** A window adds
   ``log10(p_threshold / p)`` decades to a sum floored at 0 (a negative amount when
   ``p > p_threshold``); the alert fires when the sum reaches ``evidence``. With the defaults
   (1e-3, 2 decades) one window at p <= 1e-5 fires, or two in a row at 1e-4, or three at
   10^-3.7; an ordinary window (p about 0.5) takes 2.7 decades off. Why: on real mention
   counts the negative binomial fits the body (on the NAB tweet series, 6-9 % of ordinary
   hours fall below p = 0.1 and about 2 % below 0.01) but its far tail is too thin -- 0.5
   to 1 % of ordinary hours fall below 1e-3 -- so a window must be far beyond that, or be
   followed by more. Windows shorter than ``persistence`` (10 minutes) can each add at most
   the share of the threshold they cover, so a 1- or 5-minute detector needs a run of
   significant windows: a retweet storm of one minute is not a spike, an hour that doubles
   is.
3. **Minimum volume.** A window adds no evidence unless it holds ``min_count`` mentions and
   ``min_peak_ratio`` times the brand's normal busiest window (the level at its peak hour):
   a rise that stays under what the brand gets every evening is not worth an alert, however
   significant at 3 a.m. (``min_negative`` and the same ratio on the negative baseline for
   the negative kinds).
4. **Cooldown and severity.** Severity is the ratio observed/expected: ``warning`` below
   ``severity_ratios[0]`` (3), ``high`` below ``severity_ratios[1]`` (10), else
   ``critical``. After an alert the same kind stays quiet for ``cooldown`` (one day) unless
   the severity rises: that escalation is a new alert.
5. **Negatives with or without volume.** ``negative_spike`` accumulates only in windows whose
   volume is significant too (a storm, and a negative one), ``negative_share`` only in
   windows whose volume is *not* significant and whose share is up by ``share_min_ratio``
   and ``share_min_rise`` (opinion turning at a normal volume). So one event raises one
   negative kind, not both.

The first ``warmup`` of history only teaches the baseline: a detector must have seen a
daily cycle before it can tell an evening peak from a spike.

Windows are identified by their end. A window at or before the last one seen is ignored (a
replay after a crash, or a late duplicate), so restoring :meth:`SpikeDetector.to_state` and
feeding the stream again from an earlier offset repeats no alert. A gap between two windows
is filled with empty windows up to ``max_gap`` (a tumbling window with no mention may never
be emitted); a longer gap is an outage and only resets the evidence.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from core.settings import SpikeSettings  # defined with the rest of the configuration
from streams.alerts.baseline import Forecast, SeasonalBaseline
from streams.alerts.significance import binom_logsf, nbinom_logsf

Kind = Literal["volume_spike", "negative_spike", "negative_share"]
KINDS: tuple[Kind, ...] = ("volume_spike", "negative_spike", "negative_share")
SEVERITIES = ("warning", "high", "critical")
STATE_VERSION = 1
_LN10 = math.log(10.0)


@dataclass(frozen=True)
class Alert:
    """One decision of the detector."""

    at: datetime  # end of the window that raised it
    kind: Kind
    window: str
    observed: int
    expected: float
    p_value: float  # of this window alone; may underflow to 0.0, see log10_p
    log10_p: float
    severity: str
    ratio: float  # observed / expected (negative_share: share / baseline share)
    evidence: float  # accumulated decades of surprise at the alert
    escalation: bool = False  # raised inside the cooldown because the severity rose
    total: int | None = None  # negative_share: all mentions of the window

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = self.at.isoformat()
        if self.total is None:
            del out["total"]
        return out


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_window(name: str) -> timedelta:
    """``"1m"``, ``"5m"``, ``"1h"``... as a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", name)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a window size: {name!r} (e.g. 1m, 5m, 1h)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


@dataclass
class _Track:
    """Evidence and alert memory of one kind."""

    evidence: float = 0.0
    last_at: datetime | None = None
    last_rank: int = -1


class SpikeDetector:
    """Pure decision core: ``observe`` each closed window, get the alerts it raises."""

    def __init__(self, window: str = "5m", settings: SpikeSettings | None = None) -> None:
        self.window = window
        self.size = parse_window(window)
        self.settings = s = settings or SpikeSettings()
        self.baseline = SeasonalBaseline(
            self.size,
            level_half_life=s.level_half_life,
            daily_half_life=s.daily_half_life,
            weekly_half_life=s.weekly_half_life,
            dispersion_half_life=s.dispersion_half_life,
            clip_sd=s.clip_sd,
            dispersion_clip_sd=s.dispersion_clip_sd,
        )
        self._share_keep = 2.0 ** (-(self.size / s.share_half_life))
        self.share_neg = 0.0  # decayed sum of negative mentions
        self.share_all = 0.0  # decayed sum of all mentions, where negatives were known
        self.tracks = {kind: _Track() for kind in KINDS}
        self.last_end: datetime | None = None
        # Persistence: evidence accrues at most at the rate that reaches the threshold in
        # `persistence`, so windows shorter than that need a run of them.
        runs = s.persistence / self.size
        self._max_gain = s.evidence / runs if runs > 1 else math.inf

    @property
    def share(self) -> float:
        """Baseline share of negatives, pulled towards ``share_prior`` while data is scarce."""
        s = self.settings
        prior = s.share_prior_mentions
        return (self.share_neg + s.share_prior * prior) / (self.share_all + prior)

    # -- the stream ---------------------------------------------------------------------

    def observe(self, window_end: datetime, count: int, negative: int | None = None) -> list[Alert]:
        """Feed one closed window (its end, its mentions, its negative ones if known)."""
        if count < 0 or (negative is not None and not 0 <= negative <= count):
            raise ValueError(f"bad counts: {count=} {negative=}")
        if self.last_end is not None:
            if window_end <= self.last_end:
                return []  # replayed or late: already decided
            if window_end - self.last_end > self.settings.max_gap:
                for track in self.tracks.values():
                    track.evidence = 0.0
            else:
                end = self.last_end + self.size
                while end < window_end - self.size / 2:
                    self._step(end, 0, 0 if negative is not None else None)
                    end += self.size
        self.last_end = window_end
        return self._step(window_end, count, negative)

    def _step(self, end: datetime, count: int, negative: int | None) -> list[Alert]:
        start = end - self.size
        fc = self.baseline.forecast(start)
        alerts: list[Alert] = []
        if fc is not None:
            warm = fc.history_s >= self.settings.warmup.total_seconds()
            alerts = self._decide(end, count, negative, fc, warm)
        self.baseline.update(start, count)
        if negative is not None:
            self.share_neg = self.share_neg * self._share_keep + negative
            self.share_all = self.share_all * self._share_keep + count
        return alerts

    # -- decisions ----------------------------------------------------------------------

    def _decide(
        self, end: datetime, count: int, negative: int | None, fc: Forecast, warm: bool
    ) -> list[Alert]:
        s = self.settings
        floor = self.baseline.peak() * s.min_peak_ratio
        log10_p = _nb_log10_p(count, fc.mean, fc.alpha)
        volume_significant = log10_p <= math.log10(s.p_threshold)
        alerts = [
            self._accumulate(
                "volume_spike", end, count, fc.mean, log10_p, count >= max(s.min_count, floor), warm,
                s.severity_ratios,
            )
        ]  # fmt: skip
        if negative is not None:
            share = self.share
            expected = fc.mean * share
            log10_p = _nb_log10_p(negative, expected, fc.alpha)
            # The two negative kinds split on the volume: with it (a storm that is negative)
            # or without it (opinion turning at a normal volume).
            eligible = volume_significant and negative >= max(s.min_negative, floor * share)
            alerts.append(
                self._accumulate(
                    "negative_spike", end, negative, expected, log10_p, eligible, warm, s.severity_ratios
                )
            )
            # Share: binomial tail of the negatives among this window's mentions.
            observed_share = negative / count if count else 0.0
            rises = (
                not volume_significant
                and negative >= s.min_negative
                and observed_share >= share * s.share_min_ratio
                and observed_share >= share + s.share_min_rise
            )
            log10_p = binom_logsf(negative, count, share) / _LN10 if count else 0.0
            alerts.append(
                self._accumulate(
                    "negative_share", end, negative, count * share, log10_p, rises, warm,
                    s.share_severity_ratios, ratio=observed_share / share, total=count,
                )
            )  # fmt: skip
        return [a for a in alerts if a is not None]

    def _accumulate(
        self,
        kind: Kind,
        end: datetime,
        observed: int,
        expected: float,
        log10_p: float,
        eligible: bool,
        warm: bool,
        severity_ratios: tuple[float, float],
        ratio: float | None = None,
        total: int | None = None,
    ) -> Alert | None:
        """Add this window's evidence for ``kind``; return an alert if one is due."""
        s = self.settings
        track = self.tracks[kind]
        gain = math.log10(s.p_threshold) - log10_p
        if not eligible:
            gain = min(gain, 0.0)
        track.evidence = max(0.0, track.evidence + min(gain, self._max_gain))
        # The small tolerance lets `runs` equal gains add up to the threshold exactly.
        if track.evidence < s.evidence - 1e-9 or not eligible or not warm:
            return None
        if ratio is None:
            ratio = observed / expected
        rank = sum(ratio >= r for r in severity_ratios)
        cooling = track.last_at is not None and end - track.last_at < s.cooldown
        if cooling and rank <= track.last_rank:
            # Suppressed. Hold the evidence at the threshold, so it fades once the burst ends
            # instead of firing the moment the cooldown is over.
            track.evidence = s.evidence
            return None
        evidence, track.evidence = track.evidence, 0.0
        track.last_at, track.last_rank = end, rank
        return Alert(
            at=end,
            kind=kind,
            window=self.window,
            observed=observed,
            expected=round(expected, 4),
            p_value=10.0**log10_p,
            log10_p=round(log10_p, 3),
            severity=SEVERITIES[rank],
            ratio=round(ratio, 3),
            evidence=round(evidence, 3),
            escalation=cooling,
            total=total,
        )

    # -- state --------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything learnt and decided so far, as a small JSON-able dict (about 10 KB)."""
        return {
            "version": STATE_VERSION,
            "window": self.window,
            "last_end": self.last_end.isoformat() if self.last_end else None,
            "baseline": self.baseline.to_state(),
            "share": [self.share_neg, self.share_all],
            "tracks": {
                kind: [t.evidence, t.last_at.isoformat() if t.last_at else None, t.last_rank]
                for kind, t in self.tracks.items()
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], settings: SpikeSettings | None = None) -> SpikeDetector:
        """A detector that continues exactly where the one that wrote ``state`` stopped."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown detector state version {state.get('version')!r}")
        det = cls(state["window"], settings)
        det.last_end = _parse_dt(state["last_end"])
        det.baseline.load_state(state["baseline"])
        det.share_neg, det.share_all = (float(v) for v in state["share"])
        for kind, (evidence, last_at, rank) in state["tracks"].items():
            if kind not in det.tracks:
                raise ValueError(f"unknown alert kind in state: {kind!r}")
            det.tracks[kind] = _Track(float(evidence), _parse_dt(last_at), int(rank))
        return det


def _nb_log10_p(count: int, mean: float, alpha: float) -> float:
    # At or below the mean the tail is about 0.4 or more: not worth the special functions.
    if count <= mean:
        return 0.0
    return nbinom_logsf(count, mean, alpha) / _LN10


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
