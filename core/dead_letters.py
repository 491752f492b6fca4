"""The dead-letter envelope: what every worker writes when it refuses a message.

One shape for every DLQ topic, so one tool can read them all: the reason in words, who
refused it, where it came from, and the original bytes (decoded leniently for reading).

An envelope never exceeds ``MAX_ENVELOPE_BYTES``, under Kafka's ``message.max.bytes``
(1 MB by default; Faust's producer stops at 1,000,000 bytes). Lenient decoding plus JSON
escaping can make a value up to six times its size (``\\u00XX`` for a control byte, three
bytes for each undecodable one): uncapped, the oversized and binary messages, the ones
most in need of a dead letter, would get one Kafka refuses (``tests/faults/test_poison.py``).
Cut envelopes carry ``truncated`` and the original ``key_bytes`` / ``value_bytes``.
"""

from __future__ import annotations

import json

MAX_ENVELOPE_BYTES = 900_000
# A reason is a line or a few, but an exception's repr can carry the whole input (a
# UnicodeDecodeError holds every byte it failed on): keep the start, where the cause is.
MAX_REASON_CHARS = 2_000


def _dumps(fields: dict) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


def envelope(reason: str, worker: str, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None) -> bytes:
    """The JSON envelope of a refused message, cut to ``MAX_ENVELOPE_BYTES`` when needed."""
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[:MAX_REASON_CHARS] + " [...]"
    fields = {
        "reason": reason,
        "worker": worker,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key": key.decode(errors="replace") if key else None,
        "value": value.decode(errors="replace") if value is not None else None,
    }
    body = _dumps(fields)
    if len(body) <= MAX_ENVELOPE_BYTES:
        return body
    fields.update(truncated=True, key_bytes=len(key or b""), value_bytes=len(value or b""))
    body = _dumps(fields)
    while len(body) > MAX_ENVELOPE_BYTES:
        # Shorten the longest text in proportion to the excess (characters take 1 to 6
        # bytes once encoded, so measure); a few rounds at most.
        name = max(("value", "key"), key=lambda n: len(fields[n] or ""))
        text = fields[name]
        if not text:
            break  # nothing left to cut (cannot happen: the other fields are small)
        size = len(_dumps(text))
        keep = max(0, int(len(text) * (size - (len(body) - MAX_ENVELOPE_BYTES)) / size) - 16)
        fields[name] = text[:keep]
        body = _dumps(fields)
    return body
