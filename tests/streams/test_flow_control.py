"""The flow control the streams app runs with: resuming keeps queued events, clearing drops them."""

from __future__ import annotations

import asyncio

from mode.utils.queues import FlowControlEvent, FlowControlQueue

from passaparola.config import Settings
from streams.app import create_app
from streams.flow_control import KeepQueuedOnResume


def _queued_then(action: str, flow: FlowControlEvent) -> int:
    async def run() -> int:
        queue = FlowControlQueue(flow_control=flow, clear_on_resume=True)  # as Faust's stream queues
        flow.resume()
        queue.put_nowait("read after the seek")
        getattr(flow, action)()
        return queue.qsize()

    return asyncio.run(run())


def test_resume_keeps_what_the_fetcher_already_queued():
    assert _queued_then("resume", KeepQueuedOnResume()) == 1
    # The stock behaviour this replaces: the same event is thrown away.
    assert _queued_then("resume", FlowControlEvent()) == 0


def test_clear_on_revocation_still_empties_the_queues():
    assert _queued_then("clear", KeepQueuedOnResume()) == 0


def test_resume_reopens_the_flow():
    flow = KeepQueuedOnResume()
    assert not flow.is_active()
    flow.resume()
    assert flow.is_active()
    flow.suspend()
    assert not flow.is_active()


def test_the_streams_app_uses_it():
    assert isinstance(create_app(Settings()).flow_control, KeepQueuedOnResume)
