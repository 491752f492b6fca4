"""What a source may have produced since its last saved cursor, so a restart repeats nothing.

Before the first mention after a checkpoint, the runner writes a *journal* for the source to
``ingest.state`` (key ``journal:<source>``): the end offsets of ``mentions.raw`` at that
moment. When the page's cursor is saved, the journal is cleared. If the worker dies in
between, the next run finds the journal, reads ``mentions.raw`` from those offsets to its
end, and collects the ids this source already produced there; the connector then re-yields
the page from the saved cursor and the runner skips exactly those ids. Without this, a kill
re-sends what came after the last checkpoint (harmless downstream, where ids are
deterministic, but visible on the topic and in its consumers' counts).
"""

from __future__ import annotations

import json

from kafka import KafkaConsumer, TopicPartition

from ingest.state import CursorStore
from passaparola.config import Settings


def journal_key(source: str) -> str:
    return f"journal:{source}"


class ProduceJournal:
    """One source's journal: :meth:`open` before producing, :meth:`close` after a checkpoint."""

    def __init__(self, settings: Settings, store: CursorStore, source: str):
        self.settings, self.store, self.source = settings, store, source
        self.topic = settings.topics.mentions_raw
        self.is_open = False

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(bootstrap_servers=self.settings.kafka.bootstrap_servers, enable_auto_commit=False,
                             group_id=None)

    def recover(self) -> set[str]:
        """Ids this source produced after its last saved cursor (empty after a clean stop)."""
        journal = self.store.get(journal_key(self.source))
        if not journal.get("offsets"):
            return set()
        consumer = self._consumer()
        try:
            starts = {TopicPartition(self.topic, int(p)): offset for p, offset in journal["offsets"].items()}
            consumer.assign(list(starts))
            for tp, offset in starts.items():
                consumer.seek(tp, offset)
            ends, produced = consumer.end_offsets(list(starts)), set()
            while any(consumer.position(tp) < ends[tp] for tp in starts):
                for records in consumer.poll(timeout_ms=1000).values():
                    produced.update(self._ours(r.value) for r in records)
            produced.discard(None)
            self.is_open = True  # still open: the re-sent page is only done at its checkpoint
            return produced
        finally:
            consumer.close()

    def _ours(self, value: bytes | None) -> str | None:
        try:
            fields = json.loads(value or b"")
        except ValueError:
            return None
        return fields.get("id") if isinstance(fields, dict) and fields.get("source") == self.source else None

    def open(self) -> None:
        """Record where mentions.raw ends now; call before the first send after a checkpoint."""
        if self.is_open:
            return
        consumer = self._consumer()
        try:
            partitions = [TopicPartition(self.topic, p) for p in consumer.partitions_for_topic(self.topic) or ()]
            ends = consumer.end_offsets(partitions)
        finally:
            consumer.close()
        self.store.save(journal_key(self.source), {"offsets": {str(tp.partition): o for tp, o in ends.items()}})
        self.is_open = True

    def close(self) -> None:
        """The page's cursor is saved: nothing after it is in flight any more."""
        if self.is_open:
            self.store.save(journal_key(self.source), {})
            self.is_open = False
