"""English sentiment: vaderSentiment 3.3.2 with the preprocessing social text needs.

VADER (Hutto & Gilbert, ICWSM 2014; MIT) scores the text as it is; before it we
normalise what its lexicon cannot see in social posts. No step may lower Pearson r on the
VADER human-rated snippets (NYT, movie and Amazon sets), and each is also checked on
SemEval 2015 task 11 tweets (:mod:`passaparola.evaluation.sentiment`):

- handles and URLs are removed (``@love_island`` is not praise; a URL carries no polarity);
- HTML entities are unescaped (tweets arrive with ``&lt;3`` and ``&amp;``);
- hashtags lose their ``#`` and CamelCase ones are split (``#BestDayEver`` -> ``Best Day
  Ever``), so the words reach the lexicon;
- elongated words are restored when the lexicon knows the short form (``goooood`` ->
  ``good``, ``soooo`` -> ``so``): a run of three or more letters becomes two, then one;
- emoji: VADER replaces each emoji by its English description (``😡`` -> "pouting face")
  one character at a time, so the variation selector that follows most emoji on phones
  (``❤️`` is U+2764 U+FE0F) glued to the description hides it from the lexicon, and a
  description glued to the next word is lost; we strip the modifiers (variation
  selectors, skin tones, joiners) and put the descriptions in ourselves, spaced.

An explicit irony tag (``#sarcasm``, ``#irony``, ``#not``...) means the literal praise is
not meant: a positive compound becomes negative at half strength (:data:`IRONY_FACTOR`,
tuned on SemEval 2015 task 11's ironic tweets; the VADER snippets have no hashtags, so it
cannot change their figures).

When no word of the prepared text is in VADER's lexicon VADER's answer is exactly 0, so
it is not called at all (about a third of tweets): that keeps the average cost within
budget.

Label: VADER's own convention, compound >= 0.05 positive, <= -0.05 negative, else neutral;
"mixed" when both the positive and the negative share of the text (VADER's ``pos`` and
``neg``) are at least :data:`MIXED_SHARE`, i.e. a clear part of the text pulls each way.
"""

from __future__ import annotations

import html
import re
import string
from functools import lru_cache
from typing import NamedTuple

from streams.enrichment.sentiment.lexicons import strip_emoji_modifiers

METHOD = "vader-social-v1"
MAX_CHARS = 2000
POSITIVE = 0.05
NEGATIVE = -0.05
MIXED_SHARE = 0.2
IRONY_FACTOR = 0.5

_HANDLE_OR_URL = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@\w+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_ELONGATED = re.compile(r"[a-zA-Z]*([a-zA-Z])\1{2,}[a-zA-Z]*")
_RUN = re.compile(r"([a-zA-Z])\1{2,}")  # also the cheap test before the elongation pass
_RUN2 = re.compile(r"([a-zA-Z])\1+")
_PUNCTUATION = string.punctuation
_IRONY_TAG = re.compile(r"(?<![\w&])#(?:sarcasm|sarcastic|sarcasmo|irony|ironic|ironia|not)\b", re.IGNORECASE)


class VaderScores(NamedTuple):
    compound: float
    pos: float
    neg: float
    neu: float


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    known = set(analyzer.lexicon) | {w.lower() for w in BOOSTER_DICT} | {w.lower() for w in NEGATE}
    emoji_table = {ord(char): f" {description} " for char, description in analyzer.emojis.items() if len(char) == 1}
    return analyzer, frozenset(known), emoji_table


def _restore_elongation(match: re.Match[str], known: frozenset[str]) -> str:
    word = match.group(0)
    two = _RUN.sub(r"\1\1", word)
    if two.lower() in known:
        return two
    one = _RUN2.sub(r"\1", two)
    if one.lower() in known:
        return one
    return two


def _split_hashtag(match: re.Match[str]) -> str:
    body = match.group(1)
    parts = _CAMEL.findall(body)
    return " ".join(parts) if len(parts) > 1 else body


def prepare(text: str) -> str:
    """The text as VADER should see it (see the module docstring)."""
    text = text[:MAX_CHARS]
    _, known, emoji_table = _analyzer()
    if "&" in text:
        text = html.unescape(text)
    if "@" in text or "http" in text or "www." in text:
        text = _HANDLE_OR_URL.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_split_hashtag, text)
    if _RUN.search(text):
        text = _ELONGATED.sub(lambda m: _restore_elongation(m, known), text)
    if not text.isascii():
        text = strip_emoji_modifiers(text).translate(emoji_table)
    return text


def vader_scores(text: str) -> VaderScores:
    analyzer, known, _ = _analyzer()
    prepared = prepare(text)
    lexicon = analyzer.lexicon
    for token in prepared.split():
        low = token.lower()
        if low in lexicon or low.strip(_PUNCTUATION) in lexicon:
            break
    else:
        return VaderScores(0.0, 0.0, 0.0, 1.0)  # VADER scores 0 when no word is in its lexicon
    scores = analyzer.polarity_scores(prepared)
    compound = scores["compound"]
    if compound > 0 and "#" in text and _IRONY_TAG.search(text[:MAX_CHARS]):
        compound = -IRONY_FACTOR * compound
    return VaderScores(compound, scores["pos"], scores["neg"], scores["neu"])


def label(scores: VaderScores) -> str:
    if scores.pos >= MIXED_SHARE and scores.neg >= MIXED_SHARE:
        return "mixed"
    if scores.compound >= POSITIVE:
        return "positive"
    if scores.compound <= NEGATIVE:
        return "negative"
    return "neutral"
