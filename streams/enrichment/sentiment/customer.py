"""Customer-experience cues on top of the Italian model.

The model learnt Italian polarity from SENTIPOLC, which is mostly political talk: it reads
"deluso" or "nessuno risponde" about a delivery as barely negative, and sarcastic thanks
("Complimenti Aurora 👏" after a late order) as praise. The complaint cues the intent step
uses (``intent_cues``: "non funziona", "in ritardo", "rimborso", "deluso"...) are exactly
what a reputation team means by a negative mention, so they decide when present:

- no complaint cue, or the model already says negative or mixed: the model's answer stands;
- at least as many complaint cues as praise cues: negative, the score pushed below zero;
- fewer complaint than praise cues ("il problema è stato risolto subito, grazie"): mixed.

Measured (``passaparola eval sentiment``): the 10-fold SENTIPOLC figure moves by at most a
thousandth, while the share of the demo's Italian complaints labelled negative goes from
about half to three quarters. English keeps plain VADER scoring: the same rule lowered
Pearson r on the Amazon set below vaderSentiment's own.
"""

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
