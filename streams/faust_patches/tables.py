"""Faust tables as ``str -> JSON value`` mappings, written once per key per batch.

The tables hold raw bytes (keys and JSON-encoded values) and the codec is ours, not a
Faust table serializer. A stateful agent handles its events in batches
(``Stream.take_events``) and changes its tables through a :class:`TableBatch`: each key
changed is encoded and sent to the changelog once per batch, not once per event. Faust
acks a batch's events only after the agent has handled the whole batch, so its writes are
sent before its offsets can be committed. Changelog records go straight to the producer
(:mod:`streams.faust_patches.producing`), not through ``Table.send_changelog``, whose
callback only matters for on-disk stores. See docs/faust-patches.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import faust

from streams.faust_patches.producing import Send, sender

_DELETED = object()


def json_table(app: faust.App, name: str, partitions: int) -> JsonTable:
    """A changelogged table ``name`` of raw bytes, seen as ``str -> JSON value``."""
    return JsonTable(app.Table(name, default=None, partitions=partitions, key_type=bytes, value_type=bytes),
                     sender(app, "tables"))


def _encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=_sorted_set).encode()


def _sorted_set(value: Any) -> list:
    """Sets (the spike windows' identity sets) are stored as sorted lists: the same set
    always gives the same changelog record."""
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class JsonTable(MutableMapping):
    """A Faust table seen as ``str -> JSON value`` (its keys and values are raw bytes)."""

    def __init__(self, table: faust.Table, send: Send):
        self.table, self.send = table, send

    def __getitem__(self, key: str) -> Any:
        stored = self.table[key.encode()]
        return json.loads(stored)

    def get(self, key: str, default: Any = None) -> Any:
        stored = self.table.get(key.encode())
        return json.loads(stored) if stored else default

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[key.encode()] = _encode(value)

    def __delitem__(self, key: str) -> None:
        del self.table[key.encode()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.encode() in self.table

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in self.table.keys())

    def __len__(self) -> int:
        return len(self.table)

    async def write(self, partition: int, key: str, value: Any) -> None:
        """Store ``value`` and send it to changelog ``partition`` (the partition of the
        events that own the key; outside an event, Faust cannot tell it)."""
        raw = key.encode()
        if value is _DELETED:
            self.table.data.pop(raw, None)
            encoded = None  # a tombstone
        else:
            encoded = self.table.data[raw] = _encode(value)
        await self.send(self.table.changelog_topic.get_topic_name(), raw, encoded, partition=partition)


class TableBatch:
    """The changes one batch of events makes to some tables, written by :meth:`flush`.

    Before handling each event, call :meth:`at` with its partition; ``batch[table]`` is
    then a mapping that reads the batch's own changes first, and the table after. A key
    changed several times in the batch is written once, with its last value, to the
    changelog partition of the last event that changed it.
    """

    def __init__(self, *tables: JsonTable):
        self._views = {id(table): _PendingTable(table) for table in tables}
        self.partition: int | None = None

    def at(self, partition: int) -> None:
        self.partition = partition

    def __getitem__(self, table: JsonTable) -> MutableMapping[str, Any]:
        view = self._views[id(table)]
        view.batch = self
        return view

    async def flush(self) -> int:
        """Write every changed key; return how many writes that was."""
        return sum([await view.flush() for view in self._views.values()])


class _PendingTable(MutableMapping):
    def __init__(self, table: JsonTable):
        self.table = table
        self.batch: TableBatch | None = None
        self.pending: dict[str, tuple[int, Any]] = {}

    def _partition(self) -> int:
        if self.batch is None or self.batch.partition is None:
            raise RuntimeError("TableBatch.at(partition) must be called before changing a table")
        return self.batch.partition

    def __getitem__(self, key: str) -> Any:
        if key in self.pending:
            value = self.pending[key][1]
            if value is _DELETED:
                raise KeyError(key)
            return value
        return self.table[key]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            value = self[key]
        except KeyError:
            return default
        return default if value is None else value

    def __setitem__(self, key: str, value: Any) -> None:
        self.pending[key] = (self._partition(), value)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.pending[key] = (self._partition(), _DELETED)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and key in self.pending:
            return self.pending[key][1] is not _DELETED
        return key in self.table

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for key, (_, value) in self.pending.items():
            seen.add(key)
            if value is not _DELETED:
                yield key
        yield from (key for key in self.table if key not in seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    async def flush(self) -> int:
        for key, (partition, value) in self.pending.items():
            await self.table.write(partition, key, value)
        written, self.pending = len(self.pending), {}
        return written
