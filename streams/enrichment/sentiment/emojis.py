"""Sentiment from emoji and emoticons alone, whatever the language.

Used for texts with no letters (``"😍😍"``, ``":("``) and, as the only signal we can justify,
for languages that have no method of their own: the Emoji Sentiment Ranking was built from
tweets in 13 European languages and ELIta's emoji valences come from Italian raters, so an
emoji's polarity does not depend on the words around it the way a word's does.

Score: the mean polarity of the emoji and emoticons found (each occurrence counts), in
[-1, 1]. Label: "mixed" when at least one clearly positive and one clearly negative sign
occur (polarity beyond +-:data:`CLEAR`), else positive / negative beyond +-:data:`THRESHOLD`,
else neutral.
"""

from __future__ import annotations

import re

from streams.enrichment.sentiment.lexicons import emoji_lexicon, strip_emoji_modifiers

METHOD = "emoji-v1"
THRESHOLD = 0.1
CLEAR = 0.25
MAX_CHARS = 2000

# Our own polarity for the commonest ASCII emoticons (same scale as the emoji lexicon).
EMOTICONS: dict[str, float] = {
    ":)": 0.5, ":-)": 0.5, "=)": 0.5, ":]": 0.5, ":d": 0.6, ":-d": 0.6, "xd": 0.5, ":p": 0.3,
    ";)": 0.4, ";-)": 0.4, "<3": 0.7, "^^": 0.4, "^_^": 0.4, ":*": 0.5,
    ":(": -0.5, ":-(": -0.5, "=(": -0.5, ":[": -0.5, ":'(": -0.6, ":/": -0.3, ":-/": -0.3, ">:(": -0.7,
}  # fmt: skip
_EMOTICON = re.compile(r">?[:;=][-']?[()\[\]dDpP/*]|[xX][dD]\b|<3|\^_?\^")
_LETTER = re.compile(r"[^\W\d_]")
_URL = re.compile(r"(?:https?://|www\.)\S+")


def has_letters(text: str) -> bool:
    return _LETTER.search(text) is not None


def polarities(text: str) -> list[float]:
    """Polarity of every known emoticon, then every known emoji, in ``text[:MAX_CHARS]`` (URLs aside)."""
    text = text[:MAX_CHARS]
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    out = [EMOTICONS[m.lower()] for m in _EMOTICON.findall(text) if m.lower() in EMOTICONS]
    if not text.isascii():
        table = emoji_lexicon()
        out.extend(table[char] for char in strip_emoji_modifiers(text) if char in table)
    return out


def score(values: list[float]) -> tuple[float, str]:
    if not values:
        return 0.0, "neutral"
    mean = sum(values) / len(values)
    if max(values) >= CLEAR and min(values) <= -CLEAR:
        return mean, "mixed"
    if mean >= THRESHOLD:
        return mean, "positive"
    if mean <= -THRESHOLD:
        return mean, "negative"
    return mean, "neutral"
