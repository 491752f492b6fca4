"""aiokafka's metadata updates, throttled after a failure.

While the broker is down, aiokafka retries a failed metadata update at once and every
refused connection asks for another, so a worker spins a core and floods its log. After a
failed update we wait ``retry_backoff_ms``, as kafka-python's clients do; successful
updates are not delayed. Guarded by tests/faults/test_kafka_restart.py, which bounds the
worker's log during a broker restart. See docs/faust-patches.md.
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
