"""The offline backtest: CSV reading, resampling, scoring, and the NAB tweet-volume target."""

import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from passaparola.evaluation.spikes import (
    backtest,
    evaluate,
    evaluate_folder,
    pooled,
    read_series,
    report,
    resample,
)

NAB = Path(__file__).resolve().parents[4] / "shared" / "data" / "spikes" / "nab_realTweets"
T0 = datetime(2024, 3, 4)


def test_evaluate_follows_the_definitions() -> None:
    windows = [(T0, T0 + timedelta(hours=10)), (T0 + timedelta(days=2), T0 + timedelta(days=3))]
    alerts = [
        {"at": (T0 + timedelta(hours=3)).isoformat(sep=" ")},  # inside the first window
        {"at": T0 + timedelta(hours=10)},  # on its end: inside
        {"at": T0 + timedelta(days=1)},  # outside every window
    ]
    ev = evaluate(alerts, windows)
    assert (ev.alerts, ev.inside, ev.windows, ev.windows_hit) == (3, 2, 2, 1)
    assert ev.precision == pytest.approx(2 / 3) and ev.recall == 0.5
    assert ev.delays == [timedelta(hours=3), None]
    assert evaluate([], windows).precision == 0.0
    total = pooled({"a": ev, "b": evaluate([T0 + timedelta(days=2, hours=1)], windows)})
    assert (total.alerts, total.inside, total.windows_hit, total.windows) == (4, 3, 2, 4)
    assert "pooled" in report({"a": ev})


def test_read_series_and_resample(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("timestamp,value\n2024-03-04 10:10:00,3\n2024-03-04 10:05:00,2\n2024-03-04 12:55:00,4.0\n")
    rows = read_series(good)
    assert rows[0] == (datetime(2024, 3, 4, 10, 5), 2)  # sorted
    assert resample(rows, timedelta(hours=1)) == [
        (datetime(2024, 3, 4, 10), 5),
        (datetime(2024, 3, 4, 11), 0),  # an hour without rows is an hour without mentions
        (datetime(2024, 3, 4, 12), 4),
    ]
    for body in ("time,count\n2024-03-04,1\n", "timestamp,value\nyesterday,1\n", "timestamp,value\n2024-03-04,-2\n"):
        bad = tmp_path / "bad.csv"
        bad.write_text(body)
        with pytest.raises(ValueError):
            read_series(bad)


def test_backtest_prints_alerts_as_json_lines(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    lines = ["timestamp,value"]
    for i in range(288 * 5):
        t = T0 + timedelta(minutes=5 * i)
        mean = 20 * (1 + 0.5 * math.sin(2 * math.pi * i / 288)) + (400 if 288 * 3 + 100 <= i < 288 * 3 + 106 else 0)
        lines.append(f"{t:%Y-%m-%d %H:%M:%S},{rng.poisson(mean)}")
    path = tmp_path / "series.csv"
    path.write_text("\n".join(lines) + "\n")
    for window, spike_at in (("1h", T0 + timedelta(days=3, hours=9)), (None, T0 + timedelta(days=3, minutes=510))):
        alerts = list(backtest(path, window))
        assert len(alerts) == 1, alerts
        alert = json.loads(json.dumps(alerts[0]))
        for key in ("at", "kind", "p_value", "observed", "expected", "severity", "window"):
            assert key in alert
        assert alert["kind"] == "volume_spike" and alert["p_value"] < 1e-5
        # Raised at the end of the window holding the spike, or of the next one (5m).
        assert spike_at <= datetime.fromisoformat(alert["at"]) <= spike_at + timedelta(minutes=10)


@pytest.mark.skipif(not (NAB / "labels.json").exists(), reason="shared NAB tweet series not available")
def test_nab_tweet_volume_meets_the_target() -> None:
    hourly = evaluate_folder(NAB)
    five = evaluate_folder(NAB, window=None)
    print("\nNAB realTweets, 1-hour detector (the default):\n" + report(hourly))
    print("\nNAB realTweets, 5-minute detector (for reference):\n" + report(five))
    total = pooled(hourly)
    assert total.windows == 16
    assert total.precision >= 0.6
    assert total.recall >= 0.8
