"""Prometheus metrics and a health endpoint, the same for every worker.

Each worker calls :func:`serve` once; ``GET /metrics`` is the Prometheus exposition and
``GET /healthz`` answers 200 while the worker's health check passes, 503 otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

CONSUMED = Counter("passaparola_messages_consumed_total", "Messages read from Kafka", ["worker", "topic"])
PRODUCED = Counter("passaparola_messages_produced_total", "Messages written to Kafka", ["worker", "topic"])
DROPPED = Counter("passaparola_messages_dropped_total", "Messages deliberately not passed on, by reason", ["worker", "reason"])
ERRORS = Counter("passaparola_errors_total", "Messages or batches that failed, by reason", ["worker", "reason"])
INDEXED = Counter("passaparola_documents_indexed_total", "Documents acknowledged by Elasticsearch", ["worker", "index"])
LAG = Gauge("passaparola_consumer_lag", "Messages behind the end of the partition", ["worker", "topic", "partition"])
BATCH_SECONDS = Histogram(
    "passaparola_batch_seconds", "Time to process one batch", ["worker"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
)


def serve(port: int, healthy: Callable[[], bool] = lambda: True, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve /metrics and /healthz in a daemon thread; ``port=0`` picks a free port. The
    address is logged either way: it is how an operator finds a picked port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/metrics":
                self._reply(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif self.path == "/healthz":
                ok = healthy()
                self._reply(200 if ok else 503, b"ok\n" if ok else b"unhealthy\n", "text/plain")
            else:
                self._reply(404, b"not found\n", "text/plain")

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # scrapes every few seconds: keep them out of the logs
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    bound = server.server_address[1]
    log.info("serving /metrics and /healthz on http://%s:%d", host, bound, extra={"host": host, "port": bound})
    return server


class Heartbeat:
    """Health of an asyncio worker: :meth:`beat` runs on its event loop and marks each second,
    so a loop that stopped coming round (blocked, or ended while the process lingers) goes
    stale and ``/healthz`` turns 503."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.stopped = False

    async def beat(self, every_s: float = 1.0) -> None:
        try:
            while True:
                self.last = time.monotonic()
                await asyncio.sleep(every_s)
        finally:
            self.stopped = True

    def fresh(self, stall_s: float) -> bool:
        return not self.stopped and time.monotonic() - self.last < stall_s


#: How often workers refresh the lag gauge: lag moves slowly next to a scrape interval.
LAG_EVERY_S = 5.0


def set_lag(worker: str, lags: dict[tuple[str, int], int]) -> None:
    """``(topic, partition) -> messages behind the partition's end`` into the lag gauge."""
    for (topic, partition), lag in lags.items():
        LAG.labels(worker, topic, str(partition)).set(max(0, lag))
