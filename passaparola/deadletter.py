"""The dead-letter envelope: what every worker writes when it refuses a message.

One shape for every DLQ topic, so one tool can read them all: the reason in words, who
refused it, where it came from, and the original bytes (decoded leniently for reading).
"""

from __future__ import annotations

import json


def envelope(reason: str, worker: str, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None) -> bytes:
    return json.dumps(
        {
            "reason": reason,
            "worker": worker,
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "key": key.decode(errors="replace") if key else None,
            "value": value.decode(errors="replace") if value is not None else None,
        },
        ensure_ascii=False,
    ).encode()
