"""The workers' /metrics and /healthz: where they listen is logged, and an asyncio worker's
health follows its event loop."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import urllib.error
import urllib.request

from core.metrics import Heartbeat, serve


def test_a_picked_port_is_logged_and_serves(caplog):
    caplog.set_level(logging.INFO, logger="core.metrics")
    server = serve(0)
    try:
        port = server.server_address[1]
        logged = [r for r in caplog.records if r.getMessage().startswith("serving /metrics and /healthz")]
        assert [r.getMessage() for r in logged] == [f"serving /metrics and /healthz on http://127.0.0.1:{port}"]
        assert logged[0].port == port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200
    finally:
        server.shutdown()


def test_health_turns_503_when_the_event_loop_stops_coming_round():
    heart = Heartbeat()
    server = serve(0, healthy=lambda: heart.fresh(0.5))
    port = server.server_address[1]
    blocked, released = threading.Event(), threading.Event()

    async def worker() -> None:
        pulse = asyncio.create_task(heart.beat(every_s=0.05))
        await asyncio.sleep(0.2)
        blocked.set()
        released.wait(10)  # a blocking call on the loop: the heartbeat cannot run
        await asyncio.sleep(0.2)
        pulse.cancel()
        await asyncio.gather(pulse, return_exceptions=True)

    def status() -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                return answer.status
        except urllib.error.HTTPError as err:
            return err.code

    loop = threading.Thread(target=asyncio.run, args=(worker(),))
    loop.start()
    try:
        assert blocked.wait(10) and status() == 200
        time.sleep(0.7)  # the stall is the scenario
        assert status() == 503
        released.set()
        time.sleep(0.1)
        assert status() == 200  # the loop came round again
        loop.join(10)
        assert status() == 503  # the loop ended: the worker is no longer working
    finally:
        released.set()
        server.shutdown()
