"""Enrichment of one mention: pure, so the agent, the offline command and the benchmarks share it.

For now it only normalises what every later step relies on; language, sentiment, intent,
topics, brand matching and promo/duplicate flags arrive with their own modules (issue #3).
"""

from __future__ import annotations

from passaparola.schema import Mention


def enrich(mention: Mention) -> Mention:
    return mention
