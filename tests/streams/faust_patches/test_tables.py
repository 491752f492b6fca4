"""TableBatch: a batch's table changes are read back at once and written once per key."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from streams.faust_patches.tables import _DELETED, JsonTable, TableBatch, _encode


class RecordedTable(JsonTable):
    """A JsonTable over a dict that records what would go to the changelog."""

    def __init__(self, stored: dict[str, Any] | None = None):
        self.stored = dict(stored or {})
        self.writes: list[tuple[int, str, Any]] = []

    def __getitem__(self, key: str) -> Any:
        return self.stored[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.stored.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.stored

    def __iter__(self):
        return iter(self.stored)

    async def write(self, partition: int, key: str, value: Any) -> None:
        self.writes.append((partition, key, "deleted" if value is _DELETED else value))
        if value is _DELETED:
            self.stored.pop(key, None)
        else:
            self.stored[key] = value


def flush(batch: TableBatch) -> int:
    return asyncio.run(batch.flush())


def test_a_key_changed_by_many_events_is_written_once_with_its_last_value():
    table = RecordedTable()
    batch = TableBatch(table)
    for n in range(5):
        batch.at(2)
        view = batch[table]
        view["brand"] = (view.get("brand") or 0) + 1
    assert table.writes == []  # nothing before the flush
    assert flush(batch) == 1
    assert table.writes == [(2, "brand", 5)]
    assert flush(batch) == 0  # a flushed batch has nothing left to write


def test_each_key_goes_to_the_partition_of_the_last_event_that_changed_it():
    table = RecordedTable()
    batch = TableBatch(table)
    batch.at(0)
    batch[table]["a"] = 1
    batch.at(3)
    batch[table]["b"] = 2
    flush(batch)
    assert sorted(table.writes) == [(0, "a", 1), (3, "b", 2)]


def test_reads_see_the_batch_first_then_the_table():
    table = RecordedTable({"old": [1, 0], "gone": [2, 2]})
    batch = TableBatch(table)
    batch.at(1)
    view = batch[table]
    view["new"] = [0, 1]
    del view["gone"]
    assert view["old"] == [1, 0] and view["new"] == [0, 1]
    assert "gone" not in view and view.get("gone") is None
    with pytest.raises(KeyError):
        view["gone"]
    assert sorted(view) == ["new", "old"] and len(view) == 2
    assert view.pop("old") == [1, 0]
    flush(batch)
    assert table.stored == {"new": [0, 1]}
    assert sorted(w[1] for w in table.writes if w[2] == "deleted") == ["gone", "old"]


def test_deleting_a_missing_key_is_a_key_error_and_writes_nothing():
    table = RecordedTable()
    batch = TableBatch(table)
    batch.at(0)
    with pytest.raises(KeyError):
        del batch[table]["nothing"]
    assert flush(batch) == 0


def test_tables_of_one_batch_are_flushed_together():
    marks, windows = RecordedTable(), RecordedTable()
    batch = TableBatch(marks, windows)
    batch.at(4)
    batch[marks]["brand"] = {"marks": {}}
    batch[windows]["brand|1m|t"] = [1, 0]
    assert flush(batch) == 2
    assert marks.writes == [(4, "brand", {"marks": {}})] and windows.writes == [(4, "brand|1m|t", [1, 0])]


def test_a_change_without_a_partition_is_refused():
    table = RecordedTable()
    with pytest.raises(RuntimeError, match="at"):
        TableBatch(table)[table]["k"] = 1


def test_sets_are_stored_as_sorted_lists():
    """The spike windows' identity sets: the same set always gives the same changelog record."""
    assert json.loads(_encode({"ids": {"c3", "a1", "b2"}})) == {"ids": ["a1", "b2", "c3"]}
    with pytest.raises(TypeError):
        _encode(object())
