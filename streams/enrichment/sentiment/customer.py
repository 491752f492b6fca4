"""Customer-experience cues on top of the Italian model.

The model learnt polarity from SENTIPOLC, mostly political talk, and reads "deluso" about
a delivery as barely negative; the intent step's complaint cues (``intent_cues``) are what
a reputation team means by a negative mention, so they decide when present:

- no complaint cue, or the model already says negative or mixed: the model's answer stands;
- at least as many complaint cues as praise cues: negative, the score pushed below zero;
- fewer complaint than praise cues ("il problema è stato risolto subito, grazie"): mixed.

The cues move the SENTIPOLC figure (``passaparola eval sentiment``) by at most a
thousandth. English keeps plain VADER, whose Pearson r on the Amazon set they lower."""

from __future__ import annotations

from typing import NamedTuple

from streams.enrichment.intent import cue_counts

SUFFIX = "+cx"
_STEP = 0.2  # score pushed down per complaint cue (at most three)


class Decision(NamedTuple):
    label: str
    score: float


def adjust(label: str, score: float, text: str, language: str) -> Decision:
    """The label and score after the customer-experience cues (see the module doc)."""
    if label in ("negative", "mixed"):
        return Decision(label, score)
    counts = cue_counts(text, language)
    complaints, praise = counts["complaint"], counts["praise"]
    if not complaints:
        return Decision(label, score)
    if complaints >= praise:
        return Decision("negative", max(-1.0, min(score, 0.0) - _STEP * min(complaints, 3)))
    return Decision("mixed", score / 2)
