"""The agents' direct sends: a message aiokafka gave up on is counted and logged, not lost silently."""

from __future__ import annotations

import asyncio
import logging

from core.metrics import ERRORS
from streams.faust_patches.producing import _report_failure


def _errors() -> float:
    return ERRORS.labels("streams", "not produced")._value.get()


def test_a_message_aiokafka_gave_up_on_is_counted_and_logged(caplog):
    loop = asyncio.new_event_loop()
    try:
        failed, written = loop.create_future(), loop.create_future()
        failed.set_exception(RuntimeError("MessageSizeTooLargeError"))
        written.set_result("metadata")
        before = _errors()
        with caplog.at_level(logging.ERROR, logger="streams.faust_patches.producing"):
            _report_failure(written, "streams", "mentions.enriched")
            assert _errors() == before and not caplog.records
            _report_failure(failed, "streams", "mentions.enriched")
        assert _errors() == before + 1
        assert caplog.records[0].topic == "mentions.enriched" and "MessageSizeTooLarge" in caplog.records[0].error
    finally:
        loop.close()


def test_a_message_the_producer_refuses_at_once_is_not_produced_with_its_reason():
    """Faust wraps aiokafka's refusal (a message too large) in ProducerSendError; the agents
    catch NotProduced and dead-letter the input (the route agent crashed on it instead)."""
    import pytest
    from aiokafka.errors import MessageSizeTooLargeError
    from faust.exceptions import ProducerSendError

    from core.settings import Settings
    from streams.app import create_app
    from streams.faust_patches.producing import NotProduced, sender

    class Refusing:
        async def send(self, *args, **kwargs):  # noqa: ANN002, ANN003
            try:
                raise MessageSizeTooLargeError("The message is 1010765 bytes when serialized")
            except MessageSizeTooLargeError as exc:
                raise ProducerSendError(f"Error while sending: {exc!r}") from exc

    app = create_app(Settings())
    app._producer = Refusing()
    with pytest.raises(NotProduced, match="not produced to t: MessageSizeTooLargeError"):
        asyncio.run(sender(app, "streams")("t", b"k", b"v"))
