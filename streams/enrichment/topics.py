"""What a mention talks about: salient keywords, and the aspects of a taxonomy it touches.

**Keywords** (:func:`keywords`): a YAKE-like heuristic for one short text, with no corpus
statistics. Candidates are content words (not a stop word, at least 3 letters, no digit),
hashtags (without ``#``) and pairs of adjacent content words in one clause ("miscela
alba", "customer service"). URLs, @handles, e-mail addresses, numbers and codes are never
candidates; they, punctuation, emoji and stop words end a clause. Scores: a word starts at
1 + 4 % per letter (up to 15), times 1.6 when capitalised inside a sentence or an acronym
(a name; not in an all-capitals text), divided by 1 + 2 % per position (earlier is more
salient), times 1.3 for each repetition; a hashtag scores 1.3 times its word (the author
chose it as a topic); a pair scores 1.1 times its better word, so it comes before both.
The best ``k`` are returned, best first (ties: first appearance), lowercase with accents
kept ("città", "caffè aurora"); a candidate sharing a word with one already chosen is
skipped, so "miscela alba" is not followed by "alba". Elided articles go ("dell'app" ->
"app"), so does the possessive "'s"; a word ending in a letter repeated three times or
more ends with it once ("bellissimooo" -> "bellissimo", "sooo" -> "so", a stop word).
The Italian and English stop words (``data/stopwords_*.txt``, ours) both always apply,
whatever ``language`` says: mentions mix the two, and neither list holds content words of
the other language.

**Aspects** (:class:`AspectTaxonomy`): named aspects, each with terms per language, loaded
from TOML (``data/aspects.toml`` by default; its header documents the format: whole words,
``stem*`` prefixes, ``!exclusions``, multi-word terms, matched ignoring case and accents).
:meth:`AspectTaxonomy.aspects` returns the aspects a text matches, in taxonomy order, using
the terms of the text's language plus English ones (loanwords), or all terms when the
language is unknown to the taxonomy.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.errors import PassaparolaError

DATA = Path(__file__).with_name("data")
MAX_CHARS = 2000  # keywords and aspects of a long text come from its beginning

# -- keywords ----------------------------------------------------------------------------------

# URLs; words, hashtags and handles (with inner ' ’ . @ - and an optional /path, so that
# "pic.twitter.com/x", "aiuto@caffeaurora.example" and "@user@instance" are one token);
# any other character.
_TOKEN = re.compile(r"https?://\S+|www\.\S+|[@#]?\w+(?:['’.@-]\w+)*(?:/\S*)?|[^\w\s]")
_INNER = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)+")  # a word with inner apostrophes or hyphens
_SENTENCE_END = frozenset(".!?\n")
_BREAK = None  # marks the end of a clause in the token sequence


def _stop_variants(word: str) -> set[str]:
    """A stop word and its social spellings: no accent, the other accent, apostrophe for accent."""
    variants = {word}
    if word and word[-1] in "àèéìíòóùú":
        base = unicodedata.normalize("NFKD", word[-1])[0]
        stem = word[:-1]
        variants.update({stem + base, stem + base + "'"})
        variants.update(stem + accented for accented in "àèéìíòóùú" if unicodedata.normalize("NFKD", accented)[0] == base)
    folded = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    variants.add(folded)
    return variants


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Italian and English stop words shipped in ``data/``, with their spelling variants."""
    words: set[str] = set()
    for name in ("stopwords_it.txt", "stopwords_en.txt"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip().lower()
            if word:
                words |= _stop_variants(word)
    return frozenset(words)


def _clauses(text: str, stop: frozenset[str]) -> tuple[list, dict[str, bool], dict[str, None]]:
    """Content words in order (``_BREAK`` between clauses), the capitalised ones, the hashtags
    in text order (a dict, not a set: a set's order changes from one process to the next,
    and so did the order of tied keywords)."""
    shouting = text.isupper()
    sequence: list = []
    capitalised: dict[str, bool] = {}
    hashtags: dict[str, None] = {}
    sentence_start = True
    for token in _TOKEN.findall(text):
        first = token[0]
        if token.isalpha() or first.isalpha() and _INNER.fullmatch(token):  # not a URL, number or code
            word = token.lower()
            if len(word) > 3 and word[-1] == word[-2] == word[-3]:  # "bellissimooo", "sooo"
                word = word.rstrip(word[-1]) + word[-1]
                token = token[:len(word)]
            if "'" in word or "’" in word:
                word = word.replace("’", "'")
                head, _, tail = word.partition("'")
                if head in stop:  # "dell'app": the elided article ends the clause, the rest is a word
                    word, token = tail, token[len(head) + 1:]
                    if sequence and sequence[-1] is not _BREAK:
                        sequence.append(_BREAK)
                elif word.endswith("'s"):  # "Glasgow's"
                    word, token = word[:-2], token[:-2]
            if word in stop or len(word) < 3:
                if sequence and sequence[-1] is not _BREAK:
                    sequence.append(_BREAK)
            else:
                sequence.append(word)
                name = not shouting and (token.isupper() and len(token) > 1 or token[0].isupper() and not sentence_start)
                capitalised[word] = capitalised.get(word, False) or name
            sentence_start = False
            continue
        if first == "#":
            tag = token[1:].lower()
            if tag not in stop and len(tag) >= 3 and not tag.isdigit() and "." not in tag:
                hashtags[tag] = None
        elif first in _SENTENCE_END:
            sentence_start = True
        if sequence and sequence[-1] is not _BREAK:
            sequence.append(_BREAK)
    return sequence, capitalised, hashtags


def keywords(text: str, language: str | None = None, k: int = 5, exclude: frozenset[str] = frozenset()) -> list[str]:
    """The ``k`` most salient keywords of a short text, best first (see the module docstring).

    ``exclude``: words (lowercase, without accents) no keyword may contain, such as the names
    of the monitored brands, which would otherwise lead every brand's list."""
    if not text or k <= 0:
        return []
    sequence, capitalised, hashtags = _clauses(text[:MAX_CHARS], stopwords())

    scores: dict[str, float] = {}
    for position, word in enumerate(sequence):
        if word is not _BREAK:
            score = scores.get(word)
            if score is None:  # a name, a long word, an early word: more salient
                scores[word] = (1.6 if capitalised[word] else 1.0) * (1.0 + 0.04 * min(len(word), 15)) / (1.0 + 0.02 * position)
            else:  # each repetition adds 30 %
                scores[word] = 1.3 * score
    for tag in hashtags:
        scores[tag] = 1.3 * scores.get(tag, 1.0 + 0.04 * min(len(tag), 15))
    for a, b in zip(sequence, sequence[1:]):
        if a is not _BREAK and b is not _BREAK and a != b:
            pair = f"{a} {b}"
            if pair not in scores:
                scores[pair] = 1.1 * max(scores[a], scores[b])

    chosen: list[str] = []
    covered: set[str] = set()
    for candidate in sorted(scores, key=scores.__getitem__, reverse=True):  # stable: ties keep text order
        words = candidate.split(" ") if " " in candidate else (candidate,)
        if exclude and any(_fold(word) in exclude for word in words):
            continue
        if covered.isdisjoint(words):
            chosen.append(candidate)
            covered.update(words)
            if len(chosen) == k:
                break
    return chosen


# -- aspects -----------------------------------------------------------------------------------


class TaxonomyError(PassaparolaError, ValueError):
    """An aspect taxonomy file that cannot be used; the message says where and why."""


_LETTERS = re.compile(r"[^\W\d_]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")


def _fold(text: str) -> str:
    text = text.lower()
    return text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@dataclass
class _Matcher:
    """Compiled terms of some languages: word -> bit mask of aspects."""

    exact: dict[str, int] = field(default_factory=dict)
    prefixes: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    excluded_prefixes: dict[str, int] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = field(default_factory=dict)  # first word -> (words, mask)
    lengths: tuple[int, ...] = ()
    cache: dict[str, int] = field(default_factory=dict)

    def add(self, term: str, bit: int) -> None:
        excluded = term.startswith("!")
        words = _LETTERS.findall(_fold(term.lstrip("!")))
        if term.endswith("*"):
            words[-1] += "*"
        if len(words) > 1:
            self.phrases.setdefault(words[0], []).append((tuple(words), bit))
            return
        word = words[0]
        if word.endswith("*"):
            table = self.excluded_prefixes if excluded else self.prefixes
            word = word[:-1]
        else:
            table = self.excluded if excluded else self.exact
        table[word] = table.get(word, 0) | bit

    def freeze(self) -> None:
        self.lengths = tuple(sorted({len(p) for p in self.prefixes} | {len(p) for p in self.excluded_prefixes}))

    def word_mask(self, word: str) -> int:
        mask = self.cache.get(word)
        if mask is None:
            mask, excluded = self.exact.get(word, 0), self.excluded.get(word, 0)
            for n in self.lengths:
                if n > len(word):
                    break
                mask |= self.prefixes.get(word[:n], 0)
                excluded |= self.excluded_prefixes.get(word[:n], 0)
            mask &= ~excluded
            if len(self.cache) > 50_000:  # bounded: a stream has an endless vocabulary
                self.cache.clear()
            self.cache[word] = mask
        return mask

    def match(self, words: list[str]) -> int:
        mask = 0
        cache = self.cache
        for word in words:
            found = cache.get(word)
            mask |= self.word_mask(word) if found is None else found
        if self.phrases and not self.phrases.keys().isdisjoint(words):
            for i, word in enumerate(words):
                for phrase, bit in self.phrases.get(word, ()):
                    if _phrase_at(words, i, phrase):
                        mask |= bit
        return mask


def _phrase_at(words: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(words):
        return False
    for expected, word in zip(phrase, words[i:i + len(phrase)]):
        if expected.endswith("*") and word.startswith(expected[:-1]) or word == expected:
            continue
        return False
    return True


class AspectTaxonomy:
    """Aspects (in order) and their terms per language; see the module docstring for matching.

    Args:
        terms: aspect -> language code -> terms, e.g. ``{"price": {"it": ["prezz*"], "en": ["price*"]}}``.
    """

    def __init__(self, terms: dict[str, dict[str, list[str]]]):
        self.terms = {aspect: {lang: list(ts) for lang, ts in by_lang.items()} for aspect, by_lang in terms.items()}
        _validate(self.terms, "taxonomy")
        self.names: tuple[str, ...] = tuple(self.terms)
        self.languages: frozenset[str] = frozenset(lang for by_lang in self.terms.values() for lang in by_lang)
        self._matchers: dict[frozenset[str], _Matcher] = {}

    @classmethod
    def from_toml(cls, path: str | Path) -> AspectTaxonomy:
        """Load a taxonomy file: one table per aspect, one list of terms per language."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TaxonomyError(f"aspect taxonomy {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as e:
            raise TaxonomyError(f"aspect taxonomy {path} cannot be read: {e}") from None
        except tomllib.TOMLDecodeError as e:
            raise TaxonomyError(f"aspect taxonomy {path} is not valid TOML: {e}") from None
        _validate(data, str(path))
        return cls(data)

    @classmethod
    def default(cls) -> AspectTaxonomy:
        """The shipped taxonomy: product, price, service, delivery, staff, app."""
        return cls.from_toml(DATA / "aspects.toml")

    def aspects(self, text: str, language: str | None = None) -> list[str]:
        """The aspects ``text`` touches, in taxonomy order."""
        if not text:
            return []
        mask = self._matcher(language).match(_LETTERS.findall(_fold(text[:MAX_CHARS])))
        return [name for bit, name in enumerate(self.names) if mask >> bit & 1]

    def _matcher(self, language: str | None) -> _Matcher:
        if language in self.languages:
            languages = frozenset({language, "en"}) & self.languages
        else:
            languages = self.languages
        matcher = self._matchers.get(languages)
        if matcher is None:
            matcher = _Matcher()
            for bit, aspect in enumerate(self.names):
                for lang in sorted(languages & set(self.terms[aspect])):
                    for term in self.terms[aspect][lang]:
                        matcher.add(term, 1 << bit)
            matcher.freeze()
            self._matchers[languages] = matcher
        return matcher


def _validate(data: object, where: str) -> None:
    if not isinstance(data, dict) or not data:
        raise TaxonomyError(f"{where}: expected at least one aspect table, like [price] with it = [...] and en = [...]")
    for aspect, by_lang in data.items():
        if not isinstance(by_lang, dict) or not by_lang:
            raise TaxonomyError(f"{where}: aspect {aspect!r} must be a table of term lists per language, "
                                f"like [{aspect}] with it = [...]")
        for lang, terms in by_lang.items():
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise TaxonomyError(f"{where}: aspect {aspect!r}, language {lang!r}: expected a list of strings")
            for term in terms:
                body = term.lstrip("!")
                if not _LETTERS.search(_fold(body)) or "*" in body[:-1] or body.strip() != body:
                    raise TaxonomyError(f"{where}: aspect {aspect!r}, language {lang!r}: bad term {term!r} "
                                        f"(words, optionally ending with *, optionally starting with !)")
