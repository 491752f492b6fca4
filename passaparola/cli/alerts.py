"""``passaparola alerts ...``: backtest the detector offline, and the webhook notifier."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path

import typer

from passaparola.cli.common import errors, settings

log = logging.getLogger(__name__)

app = typer.Typer(help="Spike alerts: offline backtest and the webhook notifier.", no_args_is_help=True)


@app.command("backtest")
def alerts_backtest(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV of timestamp,value rows (counts per interval)"),
    window: str = typer.Option("1h", help="detector window (the series is summed into it); 'native' for the series' step"),
) -> None:
    """Print, as JSONL, the alerts the detector would raise over a series of mention counts."""
    from passaparola.evaluation.spikes import backtest

    try:
        for alert in backtest(file, None if window == "native" else window):
            sys.stdout.write(json.dumps(alert) + "\n")
    except ValueError as err:
        message = str(err) if str(file) in str(err) else f"{file}: {err}"
        errors.print(f"error: {message}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


@app.command("notify")
def alerts_notify(
    idle_exit: float | None = typer.Option(None, help="exit after this many seconds without messages"),
) -> None:
    """Post alerts to the webhook in PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL, each once."""
    from core.metrics import serve
    from core.topics import ensure_topics
    from sinks.base import Batching
    from sinks.webhook import WebhookSink
    from sinks.worker import SinkWorker

    cfg = settings(worker=True)
    secret = cfg.secrets.alert_webhook_url
    if secret is None or not secret.get_secret_value().strip():
        # A deployment without a webhook yet (Compose passes an empty one): wait, saying why,
        # rather than exit into a supervisor's restart loop.
        _wait_unconfigured(cfg, idle_exit)
        return
    try:
        target = WebhookSink.from_settings(cfg)
    except ValueError as err:
        errors.print(f"error: {err}", markup=False)
        raise typer.Exit(2) from None
    ensure_topics(cfg)
    batching = Batching(max_records=50, min_records=1, max_wait_s=0.5, lanes=1)
    worker = SinkWorker(cfg, target, [cfg.topics.alerts], group_id=f"{cfg.kafka.client_id}-notifier",
                        dlq_topic=cfg.topics.sink_dlq, batching=batching, name="notifier")
    serve(cfg.metrics_port, healthy=lambda: worker.healthy(cfg.health_stall_s), host=cfg.metrics_host)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    try:
        worker.run(idle_exit_s=idle_exit)
    finally:
        target.close()


def _wait_unconfigured(cfg, idle_exit: float | None) -> None:
    from core.metrics import serve

    stopped = threading.Event()
    serve(cfg.metrics_port, host=cfg.metrics_host)
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    log.warning("no webhook configured: waiting; set PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL to post alerts")
    stopped.wait(idle_exit)  # with --idle-exit, as idle as a notifier gets
