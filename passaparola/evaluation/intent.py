"""Precision and recall of the intent rules on hand-labelled real texts.

The labels (``tests/data/intent``: ids and labels only, the texts stay in ``../shared``)
are split in two halves by a hash of the text's id: the *dev* half is the one the cue
lists were tuned on; the *test* half was only measured. Report the test half.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from core.schema import INTENTS
from streams.enrichment.intent import classify_intent
from streams.enrichment.sentiment import sentiment


@dataclass(frozen=True)
class ClassFigures:
    intent: str
    support: int
    precision: float | None  # None: never predicted
    recall: float | None  # None: no such text

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def half_of(source: str, text_id: str) -> str:
    """``"dev"`` or ``"test"``: the half a labelled text belongs to, by a CRC32 of its source and id."""
    return "dev" if zlib.crc32(f"{source}:{text_id}".encode()) % 2 == 0 else "test"


def per_class(gold: Sequence[str], predicted: Sequence[str]) -> list[ClassFigures]:
    """Support, precision and recall of every intent."""
    figures = []
    for intent in INTENTS:
        tp = sum(g == p == intent for g, p in zip(gold, predicted))
        predicted_n = sum(p == intent for p in predicted)
        support = sum(g == intent for g in gold)
        figures.append(
            ClassFigures(intent, support, tp / predicted_n if predicted_n else None, tp / support if support else None)
        )
    return figures


def macro_f1(figures: list[ClassFigures]) -> float:
    """Mean F1 over the intents that occur in the gold labels."""
    present = [f for f in figures if f.support]
    return sum(f.f1 for f in present) / len(present) if present else 0.0


def predict(texts: Sequence[str], language: str) -> list[str]:
    """The intents the enrichment gives these texts (with its own sentiment)."""
    return [classify_intent(t, language, sentiment(t, language).label) for t in texts]
