"""The polarity lexicons the sentiment methods read, shipped beside this module in ``data/``.

- ``data/it_lexicon.tsv``: Italian word -> Sentix 3.1.1 polarity and ELIta valence, both on
  [-1, 1] (from Sentix, CC BY-SA 4.0, and ELIta, CC0; see ``data/ATTRIBUTION.md``).
- ``data/emoji_lexicon.tsv``: emoji -> polarity on [-1, 1]: ELIta's valence where ELIta rates
  the emoji, else the Emoji Sentiment Ranking 1.0 score (CC BY-SA 4.0).

Both are built from ``../shared`` by :mod:`passaparola.training.italian_sentiment`, and read
once, on first use. Sentix lists lemmas, so :func:`italian_polarity` falls back on suffix
rules of Italian morphology (plural/feminine -> masculine singular, superlative ->
positive, participles and verb endings -> infinitive) when a form is missing: no
lemmatizer, but free at run time."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
IT_LEXICON_NAME = "it_lexicon.tsv"
EMOJI_LEXICON_NAME = "emoji_lexicon.tsv"
_directory = DATA


def use_directory(directory: Path) -> None:
    """Read the lexicons from ``directory`` instead of the shipped ``data/`` (training does)."""
    global _directory
    _directory = Path(directory)
    italian_lexicon.cache_clear()
    emoji_lexicon.cache_clear()

# Characters that only modify the emoji before them: variation selectors, skin tones, the
# zero-width joiner of sequences, the combining keycap. Removed before looking emoji up.
EMOJI_MODIFIERS = "\ufe0e\ufe0f\u200d\u20e3\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
_STRIP_MODIFIERS = str.maketrans("", "", EMOJI_MODIFIERS)


def strip_emoji_modifiers(text: str) -> str:
    return text.translate(_STRIP_MODIFIERS)


@lru_cache(maxsize=1)
def italian_lexicon() -> dict[str, tuple[float, float]]:
    """word -> (sentix polarity, elita valence), both in [-1, 1]; 0.0 where a source lacks it."""
    table: dict[str, tuple[float, float]] = {}
    with (_directory / IT_LEXICON_NAME).open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            word, sentix, elita = line.rstrip("\n").split("\t")
            table[word] = (float(sentix), float(elita))
    return table


@lru_cache(maxsize=1)
def emoji_lexicon() -> dict[str, float]:
    """emoji (modifiers stripped) -> polarity in [-1, 1]."""
    table: dict[str, float] = {}
    with (_directory / EMOJI_LEXICON_NAME).open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            emoji, score, _source = line.rstrip("\n").split("\t")
            table[emoji] = float(score)
    return table


# (suffix of the form, replacements to try), longest suffixes first. Our own rules.
_SUFFIX_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("issimamente", ("o",)),
    ("issimo", ("o", "e")),
    ("issima", ("o", "e")),
    ("issimi", ("o", "e")),
    ("issime", ("o", "e")),
    ("mente", ("o", "e", "")),
    ("zioni", ("zione",)),
    ("sioni", ("sione",)),
    ("avano", ("are",)),
    ("evano", ("ere", "ire")),
    ("ivano", ("ire",)),
    ("ando", ("are",)),
    ("endo", ("ere", "ire")),
    ("iamo", ("are", "ere", "ire")),
    ("ato", ("are",)),
    ("ata", ("are",)),
    ("ati", ("are",)),
    ("ate", ("are",)),
    ("uto", ("ere",)),
    ("uta", ("ere",)),
    ("uti", ("ere",)),
    ("ute", ("ere",)),
    ("ito", ("ire",)),
    ("ita", ("ire",)),
    ("iti", ("ire",)),
    ("ite", ("ire",)),
    ("ano", ("are",)),
    ("ono", ("ere", "ire")),
    ("ava", ("are",)),
    ("eva", ("ere",)),
    ("chi", ("co", "ca")),
    ("ghi", ("go", "ga")),
    ("che", ("ca", "co")),
    ("ghe", ("ga", "go")),
    ("ci", ("co", "ca", "ce")),
    ("gi", ("go", "gia")),
    ("i", ("o", "e", "a", "io")),
    ("e", ("a", "o", "ere", "ire")),
    ("a", ("o", "are")),
    ("o", ("are", "ere", "ire")),
)


def italian_candidates(word: str) -> list[str]:
    """The form itself, its accent-stripped spelling, then the lemma guesses of the suffix rules."""
    out = [word]
    if not word.isascii():
        plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        if plain and plain != word:
            out.append(plain)
    if len(word) >= 4:
        for suffix, replacements in _SUFFIX_RULES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                stem = word[: -len(suffix)]
                out.extend(stem + replacement for replacement in replacements)
    return out


def italian_polarity(word: str) -> tuple[float, float]:
    """(sentix, elita) of a lowercased word, through the suffix rules when the form is missing."""
    table = italian_lexicon()
    sentix = elita = 0.0
    found_sentix = found_elita = False
    for candidate in italian_candidates(word):
        entry = table.get(candidate)
        if entry is None:
            continue
        if not found_sentix and entry[0] != 0.0:
            sentix, found_sentix = entry[0], True
        if not found_elita and entry[1] != 0.0:
            elita, found_elita = entry[1], True
        if found_sentix and found_elita:
            break
    return sentix, elita
