"""The benchmark's stream: what the send-time stamping replaces must be in every payload."""

from __future__ import annotations

from passaparola.benchmarks.e2e import _LIVE_TEXT, _PLACEHOLDER_TEXT, PROBE_SOURCE, bench_stream


def test_every_payload_carries_the_placeholders_the_sender_stamps():
    """A serialisation change (say, +00:00 for Z) would leave the placeholders in place and
    the run would measure mentions from 1999 without a word."""
    live, replayed = bench_stream(60, live=True), bench_stream(60)
    assert all(_PLACEHOLDER_TEXT in m.to_json() and _LIVE_TEXT in m.to_json() for m in live)
    assert all(_PLACEHOLDER_TEXT in m.to_json() and _LIVE_TEXT not in m.to_json() for m in replayed)
    assert len({m.id for m in live}) == 60  # new ids, though the texts repeat
    assert sum(m.source == PROBE_SOURCE for m in live) == 3
