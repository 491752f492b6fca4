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
