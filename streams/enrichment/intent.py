"""Intent of a mention: complaint, question, suggestion, purchase, praise or other.

No packaged offline classifier exists for these intents in Italian or English, and the
reply analytics need each class explainable ("why is this a complaint?"), so this is a
rule model: for each intent, cue phrases per language (``intent_cues``), counted on the
normalised text, plus two signals from elsewhere (a question mark; the sentiment label).

Decision, in this order, because a message has one intent and the brand's duty to answer
follows the strongest speech act:
1. complaint: complaint cues, or negative sentiment in a message that addresses someone
   (the caller knows it addresses a brand account, or the text uses the second person or
   tags a @handle after its first word), unless praise cues outweigh them. A message that
   only opens with "@someone" is usually a reply in a chat between people, so it is not
   addressed (counting it lowers macro-F1 on the hand-labelled dev half, in both languages);
2. suggestion: an idea or proposal ("perché non aggiungete...?", "you should...");
3. purchase: intent to buy, or a price / availability / where-to-buy question;
4. question: any other information request (question mark or interrogative opening);
5. praise: praise cues, or positive sentiment addressed to someone;
6. other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from streams.enrichment import intent_cues

MAX_CHARS = 2000  # intent shows in the first lines; long posts are cut before matching


def _accent_table() -> dict[int, str]:
    # Latin-1 and Latin Extended-A letters with diacritics, folded once at import.
    table = {ord(q): " " for q in "'’`´"}
    for code in range(0xC0, 0x180):
        base = unicodedata.normalize("NFKD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base.lower()
    return table


_FOLD = _accent_table()


def _fold(text: str) -> str:
    """Lower case, accents off ("perché" -> "perche"), apostrophes as spaces."""
    return text.lower().translate(_FOLD)


def _cue_regex(cue: str) -> str:
    folded = _fold(cue)
    if folded.endswith("*"):
        return re.escape(folded[:-1])
    return re.escape(folded) + r"(?![a-z0-9])"


def _compile(cues: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(_cue_regex(c) for c in sorted(cues, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})")


@lru_cache(maxsize=8)
def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Per language: one regex per intent, plus the question-opening and addressing ones."""
    compiled = {intent: _compile(by_language[language]) for intent, by_language in intent_cues.CUES.items()}
    compiled["?opening"] = _compile(intent_cues.QUESTION_OPENINGS[language])
    compiled["?addressed"] = _compile(intent_cues.SECOND_PERSON[language])
    return compiled


def _language(language: str | None) -> str:
    # Other languages get the English cues: better than nothing for loanwords; the
    # dashboards show intent for it and en anyway.
    return language if language in intent_cues.LANGUAGES else "en"


def _counts(folded: str, patterns: dict[str, re.Pattern[str]]) -> dict[str, int]:
    return {intent: len(patterns[intent].findall(folded)) for intent in intent_cues.CUES}


@lru_cache(maxsize=256)
def _analysis(head: str, language: str) -> tuple[str, dict[str, int]]:
    # Cached: sentiment's customer cues and the intent both ask, about the same text.
    folded = _fold(head)
    return folded, _counts(folded, _patterns(language))


def cue_counts(text: str, language: str | None) -> dict[str, int]:
    """How many cues of each intent the text contains (for explanations and tests)."""
    return dict(_analysis(text[:MAX_CHARS], _language(language))[1])


def _addresses_someone(head: str, folded: str, patterns: dict[str, re.Pattern[str]]) -> bool:
    tags_inside = "@" in head and not head.lstrip().startswith("@")
    return tags_inside or patterns["?addressed"].search(folded) is not None


def classify_intent(
    text: str, language: str | None, sentiment_label: str | None = None, addressed: bool | None = None
) -> str:
    """The intent of ``text`` (see the module docstring for the rules).

    ``addressed``: True when the caller knows the text addresses a brand (it tags one of
    the brand's own accounts); None to judge from the text alone.
    """
    if not text or not text.strip():
        return "other"
    lang = _language(language)
    patterns = _patterns(lang)
    head = text[:MAX_CHARS]
    folded, cues = _analysis(head, lang)
    if addressed is None:
        addressed = _addresses_someone(head, folded, patterns)
    negative = sentiment_label in ("negative", "mixed")
    positive = sentiment_label == "positive"

    complaint = cues["complaint"] + (1 if negative and addressed else 0)
    if complaint and complaint >= cues["praise"]:
        return "complaint"
    if cues["suggestion"]:
        return "suggestion"
    if cues["purchase"]:
        return "purchase"
    if "?" in head or patterns["?opening"].match(folded.lstrip("@#.,:;!- ")):
        return "question"
    if cues["praise"] or (positive and addressed):
        return "praise"
    return "other"
