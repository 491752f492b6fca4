"""Notice a sink consumer that is outside its consumer group and stays there.

kafka-python 3.0.12 can leave a consumer out of its group for good, for instance when its
first assignment is computed on metadata that does not list the topics' partitions yet
("No partition metadata for topic ..."). Its loop still comes round, so ``/healthz`` says
healthy while nothing is read. No partitions alone does not mean stuck: with more sink
workers than partitions some are idle by design, yet still members of the group. So the
worker replaces its consumer only when it has had no partitions for ``after_s`` *and* the
group does not list it as a member (guarded by tests/sinks/test_membership.py).
"""

from __future__ import annotations

import logging
import time

from kafka import KafkaConsumer

from core import kafka_clients
from core.settings import KafkaSettings

log = logging.getLogger(__name__)


class GroupWatch:
    """Tells when a consumer has been without partitions and outside ``group_id`` too long.

    Args:
        kafka: the cluster, for the group description.
        group_id: the group the consumer should be a member of.
        after_s: how long without partitions before the group is asked (a join, or a
            rebalance waiting out a dead member, takes less).
        every_s: how often the group is asked again while it goes on.
    """

    def __init__(self, kafka: KafkaSettings | str, group_id: str, after_s: float = 60.0, every_s: float = 10.0):
        self.kafka, self.group_id = kafka, group_id
        self.after_s, self.every_s = after_s, every_s
        self._unassigned_since: float | None = None
        self._asked_at = 0.0

    def stuck(self, consumer: KafkaConsumer) -> bool:
        """True when ``consumer`` should be replaced; cheap unless it has had no partitions
        for ``after_s``."""
        now = time.monotonic()
        if consumer.assignment():
            self._unassigned_since = None
            return False
        self._unassigned_since = self._unassigned_since or now
        if now - self._unassigned_since < self.after_s or now - self._asked_at < self.every_s:
            return False
        self._asked_at = now
        member_id = consumer.group_metadata().member_id
        if not member_id:  # never joined
            return True
        members = self.members()
        return members is not None and member_id not in members

    def members(self) -> set[str] | None:
        """The group's member ids; None when the cluster could not be asked."""
        try:
            admin = kafka_clients.admin(self.kafka, "group-watch", request_timeout_ms=5000)
        except Exception as err:  # the broker is down: not the consumer's fault
            log.warning("could not ask about the consumer group", extra={"error": repr(err)})
            return None
        try:
            described = admin.describe_groups([self.group_id]).get(self.group_id) or {}
            return {m["member_id"] for m in described.get("members") or []}
        except Exception as err:
            log.warning("could not ask about the consumer group", extra={"error": repr(err)})
            return None
        finally:
            admin.close()

    def reset(self) -> None:
        """A new consumer: start counting again."""
        self._unassigned_since, self._asked_at = None, 0.0
