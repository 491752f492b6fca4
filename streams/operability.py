"""What the streams worker tells its operators: consumer lag per partition on /metrics,
and a health check that fails once the Faust app stops or crashes."""

from __future__ import annotations

import faust

from core.metrics import LAG_EVERY_S, set_lag

WORKER = "streams"


def register_lag_reporter(app: faust.App) -> None:
    """Every ``LAG_EVERY_S``: for each assigned partition, its end minus our position."""

    @app.timer(LAG_EVERY_S)
    async def report_lag() -> None:
        consumer = app.consumer
        lags = {}
        for tp in consumer.assignment():
            position = await consumer.position(tp)
            if position is not None:
                lags[(tp.topic, tp.partition)] = consumer.highwater(tp) - position
        set_lag(WORKER, lags)


def healthy(app: faust.App) -> bool:
    """Starting or running; not crashed, stopping or stopped (then a supervisor restarts it)."""
    return not app.should_stop
