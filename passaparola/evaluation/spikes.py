"""Offline backtest: run the spike detector over a ``timestamp,value`` CSV and score it.

Each row is one interval of a mention-count series, timestamped at its start.
:func:`backtest` yields the alerts a detector would raise, ``at`` the end of the window
that raised them. The default **1-hour** detector first sums a finer series into
clock-aligned hours, as the Faust agent's tumbling windows do: on the NAB tweet series a
5-minute detector flags every retweet burst, which the labellers did not mark
(``test_nab_tweet_volume_meets_the_target`` prints both). ``window=None`` runs at the
series' own step.

:func:`evaluate` scores alerts against labelled windows: *precision*, the share of alerts
inside a window (ends included); *window recall*, the share of windows with an alert;
*delay*, from a window's start to its first alert. ``python -m passaparola.evaluation.spikes
FOLDER [WINDOW|native]`` prints the table for a folder of CSVs and its ``labels.json``
(file name -> list of [start, end]).
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from streams.alerts.spike_detector import SpikeDetector, SpikeSettings, parse_window

Window = tuple[datetime, datetime]
Row = tuple[datetime, int]
DEFAULT_WINDOW = "1h"


def read_series(path: str | Path) -> list[Row]:
    """The ``(timestamp, value)`` rows of a CSV with a ``timestamp,value`` header, in time order."""
    rows: list[Row] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"timestamp", "value"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected a 'timestamp,value' header, got {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            try:
                ts, value = datetime.fromisoformat(row["timestamp"].strip()), int(float(row["value"]))
            except (AttributeError, TypeError, ValueError) as err:
                raise ValueError(f"{path}:{line}: bad row {row}: {err}") from None
            if value < 0:
                raise ValueError(f"{path}:{line}: a count cannot be negative: {value}")
            rows.append((ts, value))
    rows.sort(key=lambda r: r[0])
    return rows


def series_step(rows: Sequence[Row]) -> timedelta:
    """The median step between consecutive rows."""
    if len(rows) < 2:
        raise ValueError("a series needs at least two rows")
    return timedelta(seconds=statistics.median((b[0] - a[0]).total_seconds() for a, b in zip(rows, rows[1:])))


def window_name(step: timedelta) -> str:
    """The detector window name of a series step: 300 s -> "5m"."""
    seconds = round(step.total_seconds())
    if seconds <= 0:
        raise ValueError("a series needs increasing timestamps")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def resample(rows: Sequence[Row], size: timedelta) -> list[Row]:
    """Sum rows into clock-aligned windows of ``size``, keyed by window start; a window
    with no row inside the series' span counts 0."""
    if not rows:
        return []
    step = size.total_seconds()
    sums: dict[datetime, int] = {}
    for ts, value in rows:
        start = _floor(ts, step)
        sums[start] = sums.get(start, 0) + value
    out, t, last = [], min(sums), max(sums)
    while t <= last:
        out.append((t, sums.get(t, 0)))
        t += size
    return out


def _floor(ts: datetime, step: float) -> datetime:
    midnight = ts.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (ts - midnight).total_seconds()
    return midnight + timedelta(seconds=offset - offset % step)


def run(
    rows: Sequence[Row], window: str | None = DEFAULT_WINDOW, settings: SpikeSettings | None = None
) -> Iterator[dict[str, Any]]:
    """The alerts a detector of ``window`` raises over ``rows``, as JSON-able dicts.

    A window coarser than the series' step sums the rows first; ``None`` (or a window
    not coarser) runs at the series' own step.
    """
    if len(rows) < 2:
        return
    step = series_step(rows)
    if window is not None and parse_window(window) > step:
        step = parse_window(window)
        rows = resample(rows, step)
    detector = SpikeDetector(window_name(step), settings)
    for start, value in rows:
        for alert in detector.observe(start + step, value):
            out = alert.to_dict()
            out["at"] = alert.at.isoformat(sep=" ")
            out["window_start"] = (alert.at - step).isoformat(sep=" ")
            yield out


def backtest(
    path: str | Path, window: str | None = DEFAULT_WINDOW, settings: SpikeSettings | None = None
) -> Iterator[dict[str, Any]]:
    """Alerts for the CSV at ``path``: dicts with at, kind, p_value, observed, expected,
    severity, window, ... (one JSON line each for the CLI). ``window`` as in :func:`run`."""
    yield from run(read_series(path), window, settings)


@dataclass
class Evaluation:
    alerts: int
    inside: int
    windows: int
    windows_hit: int
    delays: list[timedelta | None] = field(default_factory=list)  # per window; None if missed

    @property
    def precision(self) -> float:
        return self.inside / self.alerts if self.alerts else 0.0

    @property
    def recall(self) -> float:
        return self.windows_hit / self.windows if self.windows else 0.0

    def __add__(self, other: Evaluation) -> Evaluation:
        return Evaluation(
            self.alerts + other.alerts,
            self.inside + other.inside,
            self.windows + other.windows,
            self.windows_hit + other.windows_hit,
            self.delays + other.delays,
        )


def _time(alert: dict[str, Any] | datetime) -> datetime:
    if isinstance(alert, datetime):
        return alert
    at = alert["at"]
    return at if isinstance(at, datetime) else datetime.fromisoformat(at)


def evaluate(alerts: Iterable[dict[str, Any] | datetime], windows: Iterable[Window]) -> Evaluation:
    """Precision (share of alerts inside a window) and window recall (share of windows with
    an alert) of alerts (dicts with ``at``, or datetimes) against labelled windows."""
    times = sorted(_time(a) for a in alerts)
    wins = sorted(windows)
    inside = sum(any(start <= t <= end for start, end in wins) for t in times)
    delays: list[timedelta | None] = []
    for start, end in wins:
        hits = [t for t in times if start <= t <= end]
        delays.append(hits[0] - start if hits else None)
    return Evaluation(len(times), inside, len(wins), sum(d is not None for d in delays), delays)


def load_labels(folder: str | Path) -> dict[str, list[Window]]:
    """``labels.json`` of a folder: file name -> list of (start, end) windows."""
    raw = json.loads((Path(folder) / "labels.json").read_text(encoding="utf-8"))
    return {
        name: [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in wins] for name, wins in raw.items()
    }


def evaluate_folder(
    folder: str | Path,
    window: str | None = DEFAULT_WINDOW,
    settings: SpikeSettings | None = None,
    kind: str = "volume_spike",
) -> dict[str, Evaluation]:
    """Per series evaluation of every labelled CSV of a folder (alerts of ``kind`` only)."""
    results = {}
    for name, wins in sorted(load_labels(folder).items()):
        alerts = [a for a in backtest(Path(folder) / name, window, settings) if a["kind"] == kind]
        results[name] = evaluate(alerts, wins)
    return results


def pooled(results: dict[str, Evaluation]) -> Evaluation:
    total = Evaluation(0, 0, 0, 0)
    for ev in results.values():
        total = total + ev
    return total


def _hours(delay: timedelta | None) -> str:
    return "-" if delay is None else f"{delay.total_seconds() / 3600:.1f}"


def report(results: dict[str, Evaluation]) -> str:
    """A table: alerts, precision, window recall and first-alert delays (hours) per series."""
    head = f"{'series':28} {'alerts':>6} {'inside':>6} {'prec':>5} {'windows':>7} {'recall':>6}"
    lines = [head + "  first-alert delay (h)"]
    rows = [*results.items(), ("pooled", pooled(results))]
    for name, ev in rows:
        if name == "pooled":
            hit = [d.total_seconds() / 3600 for d in ev.delays if d is not None]
            delays = f"median {statistics.median(hit):.1f}" if hit else ""
        else:
            delays = " ".join(_hours(d) for d in ev.delays)
        lines.append(
            f"{name:28} {ev.alerts:6d} {ev.inside:6d} {ev.precision:5.2f} "
            f"{ev.windows_hit:3d}/{ev.windows:<3d} {ev.recall:6.2f}  {delays}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    folder = args[0] if args else "."
    window = args[1] if len(args) > 1 else DEFAULT_WINDOW
    print(report(evaluate_folder(folder, None if window == "native" else window)))


if __name__ == "__main__":
    main()
