"""The flow control the streams app runs with (resuming keeps queued events, clearing drops
them) and its consumer's commit bookkeeping after a restart."""

from __future__ import annotations

import asyncio
from unittest.mock import patch

from faust.transport.consumer import ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaConsumer
from faust.types import TP
from faust.types.tuples import Message
from mode.utils.queues import FlowControlEvent, FlowControlQueue

from core.settings import Settings
from streams.app import create_app
from streams.faust_patches.flow_control import KeepQueuedOnResume, NoGapConsumer
from streams.faust_patches.producing import _report_failure


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


def _commit_offset_after_a_reread(consumer_of) -> int | None:
    """Replay what Faust's fetch loop does when a worker restarts with messages waiting:
    offsets 180-314 delivered before the seek to the committed offset (179), then 315,
    from a fetch made before the seek, delivered after it, when the read offset is back at
    179: Faust sees a gap 180-315. Every one of 179-315 is acknowledged by the agent."""
    settings = Settings()
    app = create_app(settings)
    consumer = consumer_of(app)
    topic = settings.topics.mentions_raw
    tp = TP(topic, 0)

    async def run() -> int | None:
        consumer._committed_offset[tp] = 179
        for offset in range(179, 315):
            consumer.ack(Message(topic, 0, offset, 0.0, 0, None, None, b"{}", None))
        await consumer._add_gap(tp, 180, 315)
        consumer.ack(Message(topic, 0, 315, 0.0, 0, None, None, b"{}", None))
        return consumer._new_offset(tp)

    with patch.object(type(app.topics), "acks_enabled_for", lambda self, topic: True):
        return asyncio.run(run())


def test_a_reread_after_the_seek_commits_all_it_acknowledged_at_once():
    assert isinstance(create_app(Settings()).consumer, NoGapConsumer)
    assert _commit_offset_after_a_reread(lambda app: app.consumer) == 316
    # Stock Faust: 180-315 are in its list twice (acknowledged, and gap), which cuts every
    # run of consecutive offsets to one: a commit moves one offset on, and the lag of a
    # restarted worker drained by one offset per partition every 2.8 s.
    assert _commit_offset_after_a_reread(_stock_consumer) == 181


def _stock_consumer(app) -> AIOKafkaConsumer:  # noqa: ANN001 - a faust.App
    return AIOKafkaConsumer(app.transport, callback=app.topics.on_message,
                            on_partitions_revoked=app._on_partitions_revoked,
                            on_partitions_assigned=app._on_partitions_assigned)


def _new_offset(acked: list[int], committed: int) -> int | None:
    settings = Settings()
    consumer = create_app(settings).consumer
    tp = TP(settings.topics.mentions_raw, 0)
    consumer._committed_offset[tp] = committed
    consumer._acked[tp].extend(acked)
    consumer._acked_index[tp].update(acked)
    return consumer._new_offset(tp)


def test_no_commit_past_an_offset_not_acknowledged():
    # Offset 10 is the next to commit; an agent has not acknowledged it (stock Faust: 13).
    assert _new_offset([11, 12], committed=10) is None
    assert _new_offset([10, 11, 12], committed=10) == 13


class _Queued:
    def __init__(self, message: str):
        self.message = message


def test_clear_tells_which_messages_it_dropped():
    dropped: list[str] = []

    async def run() -> int:
        flow = KeepQueuedOnResume(on_drop=dropped.append)
        queue = FlowControlQueue(flow_control=flow, clear_on_resume=True)
        flow.resume()
        for name in ("m1", "m2"):
            queue.put_nowait(_Queued(name))
        flow.clear()
        return queue.qsize()

    assert asyncio.run(run()) == 0 and dropped == ["m1", "m2"]


def test_the_consumer_no_longer_waits_for_a_dropped_message():
    app = create_app(Settings())
    message = Message(Settings().topics.mentions_enriched, 0, 5, 0.0, 0, None, None, b"{}", None)
    app.consumer._unacked_messages.add(message)
    app.flow_control.on_drop(message)
    assert message not in app.consumer._unacked_messages and not message.acked


def test_the_consumer_fetches_wait_for_data_as_configured():
    """Faust builds its aiokafka consumer with fetch_min_bytes 1; ours waits as the settings say."""
    settings = Settings(streams={"fetch_min_bytes": 12345, "fetch_max_wait_ms": 67})

    async def built() -> tuple[int, int]:
        app = create_app(settings)
        thread = app.consumer._thread
        consumer = thread._create_worker_consumer(app.transport)
        return consumer._fetch_min_bytes, consumer._fetch_max_wait_ms

    assert asyncio.run(built()) == (12345, 67)


def test_seek_and_commit_take_turns():
    """A seek reads the committed offsets only once a commit in flight has landed (else the
    value it read, older, would replace the one just committed and the commits stall: seen
    in test_spikes_are_found_within_two_windows_and_no_alert_is_raised_twice); a commit
    asked for during the seek waits for it, then leaves the offsets to the next commit."""
    order: list[str] = []

    async def run() -> bool:
        consumer = create_app(Settings()).consumer
        reading = asyncio.Event()

        async def seek_to_committed() -> dict:
            order.append("seek reads offsets")
            await reading.wait()
            return {}

        async def force_commit(*args, **kwargs) -> bool:  # noqa: ANN002, ANN003
            order.append("commit")
            return True

        consumer.seek_to_committed, consumer.force_commit = seek_to_committed, force_commit
        consumer._commit_fut = in_flight = asyncio.get_running_loop().create_future()
        seek = asyncio.ensure_future(consumer.perform_seek())
        await asyncio.sleep(0.05)
        order.append("commit in flight lands")
        consumer._commit_fut = None  # what Faust's commit does when it is done
        in_flight.set_result(None)
        await asyncio.sleep(0.05)
        commit = asyncio.ensure_future(consumer.commit())
        await asyncio.sleep(0.05)
        reading.set()
        await seek
        committed = await commit
        assert await consumer.commit()  # the next one commits
        return committed

    assert asyncio.run(run()) is False
    assert order == ["commit in flight lands", "seek reads offsets", "commit"]


def test_no_commit_after_a_failed_send():
    """A send aiokafka gave up on is noted on the app (producing._report_failure); the next
    commit stops the worker instead of committing past the input of that message."""
    crashed: list[BaseException] = []

    async def run() -> tuple[bool, bool]:
        app = create_app(Settings())
        consumer = app.consumer

        async def crash(exc: BaseException) -> None:
            crashed.append(exc)

        async def committed(self, offsets) -> bool:  # noqa: ANN001 - what the stock commit would do
            return True

        app.crash = crash
        tp = TP(Settings().topics.mentions_raw, 0)
        with patch.object(ThreadDelegateConsumer, "_commit", committed):
            before = await consumer._commit({tp: 10})
            failed = asyncio.get_running_loop().create_future()
            failed.set_exception(RuntimeError("KafkaTimeoutError"))
            _report_failure(failed, "streams", "mentions.enriched", app)
            after = await consumer._commit({tp: 11})
        return before, after

    assert asyncio.run(run()) == (True, False)
    assert len(crashed) == 1 and "1 message(s) not produced" in str(crashed[0])
