"""aiokafka's metadata updates, throttled after a failure.

While the broker is down, aiokafka 0.14 retries a failed metadata update at once, and each
refused connection asks for another: the streams worker spun a core and wrote about 5,000
error lines a second. After a failed update we wait ``retry_backoff_ms`` (kafka-python's
clients back off the same way); successful updates are not delayed. Guarded by
``tests/faults/test_kafka_restart.py``, which bounds the worker's log during a restart.
"""

from __future__ import annotations

import asyncio

from aiokafka.client import AIOKafkaClient


def throttle_failed_metadata_updates() -> None:
    """Patch :class:`AIOKafkaClient` once per process (again is a no-op)."""
    update = AIOKafkaClient._metadata_update
    if getattr(update, "throttled", False):
        return

    async def throttled(self: AIOKafkaClient, cluster_metadata, topics):  # noqa: ANN001 - aiokafka's signature
        updated = await update(self, cluster_metadata, topics)
        if not updated:
            await asyncio.sleep(self._retry_backoff)
        return updated

    throttled.throttled = True
    AIOKafkaClient._metadata_update = throttled
