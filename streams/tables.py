"""Faust tables as ``str -> JSON value`` mappings, for the stateful agents.

The tables themselves hold raw bytes (keys and JSON-encoded values): with Faust's own table
serializers (``key_serializer="raw"``, ``value_serializer="json"``) the changelog failed to
decode on recovery ("Expecting value: line 1 column 1"), so the codec stays in our hands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import faust


def json_table(app: faust.App, name: str, partitions: int) -> JsonTable:
    """A changelogged table ``name`` of raw bytes, seen as ``str -> JSON value``."""
    return JsonTable(app.Table(name, default=None, partitions=partitions, key_type=bytes, value_type=bytes))


class JsonTable(MutableMapping):
    """A Faust table seen as ``str -> JSON value`` (its keys and values are raw bytes)."""

    def __init__(self, table: faust.Table):
        self.table = table

    def __getitem__(self, key: str) -> Any:
        stored = self.table[key.encode()]
        return json.loads(stored)

    def get(self, key: str, default: Any = None) -> Any:
        stored = self.table.get(key.encode())
        return json.loads(stored) if stored else default

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[key.encode()] = json.dumps(value, separators=(",", ":")).encode()

    def __delitem__(self, key: str) -> None:
        del self.table[key.encode()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.encode() in self.table

    def __iter__(self) -> Iterator[str]:
        return (k.decode() for k in self.table.keys())

    def __len__(self) -> int:
        return len(self.table)
