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

from core.settings import Settings
from core.topics import end_offsets, read_to_end
from ingest.state import CursorStore


def journal_key(source: str) -> str:
    return f"journal:{source}"


class ProduceJournal:
    """One source's journal: :meth:`open` before producing, :meth:`close` after a checkpoint."""

    def __init__(self, settings: Settings, store: CursorStore, source: str):
        self.settings, self.store, self.source = settings, store, source
        self.topic = settings.topics.mentions_raw
        self.is_open = False

    def recover(self) -> set[str]:
        """Ids this source produced after its last saved cursor (empty after a clean stop)."""
        journal = self.store.get(journal_key(self.source))
        if not journal.get("offsets"):
            return set()
        starts = {int(partition): offset for partition, offset in journal["offsets"].items()}
        produced = {self._ours(value) for _, value in read_to_end(self.settings.kafka, self.topic, starts)}
        produced.discard(None)
        self.is_open = True  # still open: the re-sent page is only done at its checkpoint
        return produced

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
        ends = end_offsets(self.settings.kafka, self.topic)
        self.store.save(journal_key(self.source), {"offsets": {str(p): o for p, o in ends.items()}})
        self.is_open = True

    def close(self) -> None:
        """The page's cursor is saved: nothing after it is in flight any more."""
        if self.is_open:
            self.store.save(journal_key(self.source), {})
            self.is_open = False
