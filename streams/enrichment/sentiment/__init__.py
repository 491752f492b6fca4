"""Sentiment of one mention: a pure function of its text and language.

``sentiment(text, language)`` returns a :class:`SentimentResult`: ``score`` in [-1, 1]
(-1 most negative), ``label`` one of positive / negative / neutral / mixed (mixed: the text
clearly carries both, SENTIPOLC's (1, 1) class), and ``method``, what computed it.

Which method:

- language ``"it"`` (also ``"it-IT"``, ``"ita"``): ``it-linear-v1+cx``, a compact model
  trained on SENTIPOLC 2016 (see :mod:`.italian`), then the customer-experience cues of
  :mod:`.customer` (complaint phrases decide when present). ``score = q_pos - q_neg``, where ``q`` is each
  classifier's probability rescaled so that its decision threshold sits at 0.5; hence a
  "positive" label always has a score > 0, a "negative" one a score < 0, and "neutral" and
  "mixed" fall in (-0.5, 0.5).
- language ``"en"``: ``vader-social-v1``, vaderSentiment with social-text preprocessing
  (see :mod:`.english`); ``score`` is VADER's compound.
- a text with no letters at all (emoji, emoticons, punctuation), whatever the language:
  ``emoji-v1``, the mean polarity of its emoji and emoticons (see :mod:`.emojis`); a text
  with neither is neutral 0.0 with method ``none``.
- any other language, or ``None``: the words cannot be read, but emoji polarity does not
  depend on the language, so a text with known emoji or emoticons gets ``emoji-v1`` on
  those alone; without any, neutral 0.0 with method ``none``.
- empty or whitespace-only text: neutral 0.0, method ``none``.

Cost is capped: only the first :data:`MAX_CHARS` characters of a text are scored (a 1 MB
post costs what a 2,000-character one does). Every method is deterministic; the Italian
model and the lexicons are read from the package's ``data/`` on first use, never fetched.
"""

from __future__ import annotations

from typing import NamedTuple

from streams.enrichment.sentiment import customer, emojis, english, italian

MAX_CHARS = 2000
NONE = "none"

__all__ = ["SentimentResult", "sentiment", "MAX_CHARS"]


class SentimentResult(NamedTuple):
    score: float  # in [-1, 1]
    label: str  # "positive" | "negative" | "neutral" | "mixed"
    method: str  # "it-linear-v1+cx", "vader-social-v1", "emoji-v1" or "none"


_NEUTRAL = SentimentResult(0.0, "neutral", NONE)


def _language(language: str | None) -> str | None:
    if not language:
        return None
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return {"ita": "it", "italian": "it", "eng": "en", "english": "en"}.get(code, code)


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


def _emoji(text: str) -> SentimentResult:
    values = emojis.polarities(text)
    if not values:
        return _NEUTRAL
    score, label = emojis.score(values)
    return SentimentResult(_clamp(score), label, emojis.METHOD)


def _italian(text: str) -> SentimentResult:
    model = italian.model()
    z_pos, z_neg = model.logits(text)
    pos = italian.sigmoid(z_pos) >= model.threshold_pos
    neg = italian.sigmoid(z_neg) >= model.threshold_neg
    q_pos = italian.rescale(italian.sigmoid(z_pos), model.threshold_pos)
    q_neg = italian.rescale(italian.sigmoid(z_neg), model.threshold_neg)
    label = "mixed" if pos and neg else "positive" if pos else "negative" if neg else "neutral"
    label, score = customer.adjust(label, q_pos - q_neg, text, "it")
    return SentimentResult(_clamp(score), label, italian.METHOD + customer.SUFFIX)


def _english(text: str) -> SentimentResult:
    scores = english.vader_scores(text)
    return SentimentResult(_clamp(scores.compound), english.label(scores), english.METHOD)


def sentiment(text: str, language: str | None) -> SentimentResult:
    """Sentiment of ``text`` written in ``language`` (an ISO 639 code or None); see the module doc."""
    text = text[:MAX_CHARS]
    if not text or text.isspace():
        return _NEUTRAL
    if not emojis.has_letters(text):
        return _emoji(text)
    code = _language(language)
    if code == "it":
        return _italian(text)
    if code == "en":
        return _english(text)
    return _emoji(text)
