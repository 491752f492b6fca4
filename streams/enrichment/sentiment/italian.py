"""Italian sentiment: a compact linear model trained on SENTIPOLC 2016, with lexicon features.

Two logistic regressions, exactly as the official SENTIPOLC polarity metric scores a
system: one decides "is there positive sentiment", the other "is there negative
sentiment" (both yes = mixed, both no = neutral). They share one feature vector:

- hashed word unigrams and bigrams and hashed character 2..5-grams inside each word
  (``zlib.crc32`` modulo 2^20, stable across processes; no n-gram string is stored
  anywhere), L2-normalised over the text;
- negation: the words that follow "non", "mai", "nessuno", "né", "senza"... up to the next
  punctuation or "ma" (at most three words) also get a "negated" unigram, their character
  n-grams and the bigrams ending on them go to separate "negated" spaces (so "non mi
  piace" does not fire the "mi piace" of praise), and their lexicon polarity counts in
  "negated" features;
- lexicon: each word's prior polarity, the mean of its ELIta valence and Sentix 3.1.1
  polarity (plural, feminine, superlative and verb forms found by suffix rules), summed
  apart for positive and negative words, plain / negated / after an intensifier ("molto",
  "troppo", "super"...). Emoji count as lexicon words with their ELIta or Emoji Sentiment
  Ranking polarity: the 2012-2016 training tweets have too few emoji to learn their own;
- irony: an explicit tag (#ironia, #sarcasmo) makes positive words count as negated
  (86 % of SENTIPOLC's ironic tweets are negative); other markers are learnt as counts;
- counts: "!" and "!!", "?" and "??", "...", elongated words ("bellooo", normalised to
  "bello"), ALL-CAPS words, laughter ("ahahah"), positive / negative / winking emoticons,
  quotation marks, contrast words ("ma", "però"), handles, URLs, hashtags (whose words are
  also read: "#vergogna" -> "vergogna", "#MarioMonti" -> "mario", "monti").

Scoring a text costs one pass of a few regular expressions and a dictionary look-up per
token: the summed weights of every (word, context) pair are cached (bounded), so the
character n-grams of a word are hashed once per process, not once per mention.

The weights and the decision thresholds live in ``data/it_model.npz`` (built by
:mod:`passaparola.training.italian_sentiment`); it holds numbers only, no tweet text.
"""

from __future__ import annotations

import json
import math
import re
import threading
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from streams.enrichment.sentiment.lexicons import (
    DATA,
    emoji_lexicon,
    italian_polarity,
    strip_emoji_modifiers,
)

MODEL_FILE = DATA / "it_model.npz"
METHOD = "it-linear-v1"

NEGATORS = frozenset(
    "non mai nessuno nessuna nessun niente nulla né neanche nemmeno neppure senza manco".split()
)
INTENSIFIERS = frozenset(
    """molto troppo super tanto tanta tanti tante tantissimo tantissima davvero veramente
    proprio assolutamente estremamente così cosi particolarmente incredibilmente decisamente
    parecchio più piu totalmente completamente sempre stra ultra iper mega""".split()
)
CONTRAST = frozenset("ma però pero tuttavia eppure invece comunque".split())
IRONY_TAGS = frozenset(
    "#ironia #sarcasmo #irony #sarcasm #ironico #sarcastico #ironicamente #not #iosonoironico".split()
)
POSITIVE_EMOTICONS = frozenset([":)", ":-)", "=)", ":]", ":d", ":-d", "=d", "xd", ":p", ":-p", "<3", "^^", "^_^", ":*"])
NEGATIVE_EMOTICONS = frozenset([":(", ":-(", "=(", ":[", ":'(", ":/", ":-/", ":|", ":-|", ":\\"])
WINK_EMOTICONS = frozenset([";)", ";-)", ";d", ";p"])

_EMOJI_CLASS = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u2300-\u23ff"
    "\u3030\u303d\u00a9\u00ae\u203c\u2049\u2122\u2139\u24c2\u25aa-\u25fe"
)
_TOKEN = re.compile(
    r"(?:https?://|www\.)\S+"  # URL
    r"|@\w+"  # handle
    r"|#\w+"  # hashtag
    r"|[:;=][-'^o]?[()\[\]dDpP/\\|*3]+(?![^\W\d_])"  # emoticon
    r"|[xX][dD]+(?![^\W\d_])|<3|\^_?\^"
    r"|[^\W\d_]+['’`]?"  # word, with an elision apostrophe (l', un', po')
    r"|\d+(?:[.,:]\d+)*"  # number, time
    r"|[!?]+|\.\.+|…"  # punctuation runs
    r"|[.,;:()\"«»“”]"
    rf"|[{_EMOJI_CLASS}]",
    re.UNICODE,
)
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
_CAPS_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_a-zà-ÿ]{3,}(?![^\W\d_])", re.UNICODE)
_CAMEL = re.compile(r"[A-ZÀ-Ý]?[a-zà-ÿ]+|[A-ZÀ-Ý]+(?![a-zà-ÿ])|\d+", re.UNICODE)
_LAUGH = re.compile(r"^(?:(?:[aeiou]?h[aeiou]){2,}h?|(?:ah|ha|eh|he|ih|hi){2,}|lol|lool|asd(?:asd)*|ahah\w*)$")
_VOWELS = frozenset("aeiouàèéìòù")
_SCOPE_BREAK = frozenset(". , ; : ! !! ? ?? ?! ... ( ) \" « » “ ”".split()) | CONTRAST

# Context bits of a token.
NEGATED = 1
INTENSIFIED = 2
IRONIC = 4  # the text carries an explicit irony tag (#ironia, #sarcasmo...)

DENSE_NAMES: tuple[str, ...] = (
    "lexicon+", "lexicon-", "lexicon+ negated", "lexicon- negated",
    "lexicon+ intensified", "lexicon- intensified",
    "!", "!!", "?", "??", "...", "laughter", "emoticon+", "emoticon-", "wink",
    "quote", "irony tag", "contrast", "negator", "handle", "url", "hashtag",
    "elongated", "caps", "log tokens",
)  # fmt: skip
_D = {name: i for i, name in enumerate(DENSE_NAMES)}
N_DENSE = len(DENSE_NAMES)
# Token-level count features: token -> dense index.
_TOKEN_COUNTS = {
    "!": _D["!"], "!!": _D["!!"], "?": _D["?"], "??": _D["??"], "?!": _D["??"], "...": _D["..."],
    "<laugh>": _D["laughter"], "<url>": _D["url"], "<user>": _D["handle"], '"': _D["quote"],
}  # fmt: skip


@dataclass(frozen=True)
class Config:
    """What the feature extraction does; stored in the artifact so training and use agree."""

    bits: int = 20
    char_min: int = 2
    char_max: int = 5
    bigrams: bool = True
    negation_scope: int = 3
    negated_also_plain: bool = True  # a negated word also emits its plain unigram
    negated_chars: str = "separate"  # character n-grams of a negated word: "plain", "separate" or "none"
    max_chars: int = 2000

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Config":
        return cls(**json.loads(text))


def _normalise_token(raw: str) -> str:
    """Lowercased token, with URLs, handles, numbers, laughter and emoticons folded to one form."""
    first = raw[0]
    if first == "h" and raw.startswith(("http://", "https://")) or raw.startswith("www."):
        return "<url>"
    if first == "@":
        return "<user>"
    low = raw.lower()
    if first.isdigit():
        return "<num>"
    if first in "!?":
        if "!" in low and "?" in low:
            return "?!"
        return low[0] if len(low) == 1 else low[0] * 2
    if first in ".…":
        return "..."
    if first in "«»“”":
        return '"'
    if _LAUGH.match(low):
        return "<laugh>"
    return low.replace("’", "'").replace("`", "'")


_NORMALISED: dict[str, str] = {}  # raw token -> normalised (hashtags excluded: they give several)
_NORMALISED_MAX = 200_000


def _elongation(match: re.Match[str]) -> str:
    char = match.group(1)
    return char if char.lower() in _VOWELS else char * 2


def tokens(text: str, max_chars: int = 2000) -> tuple[list[str], int, int]:
    """Normalised tokens of ``text[:max_chars]``, the count of elongated words and of ALL-CAPS words.

    A hashtag gives its own token (``#vergogna``) followed by the words it is made of
    (``vergogna``; CamelCase split: ``#MarioMonti`` -> ``mario``, ``monti``).
    """
    text = text[:max_chars]
    if not text.isascii():
        text = strip_emoji_modifiers(text)
    text, elongated = _ELONGATION.subn(_elongation, text)
    caps = len(_CAPS_WORD.findall(text))
    out: list[str] = []
    append = out.append
    known = _NORMALISED
    for raw in _TOKEN.findall(text):
        tok = known.get(raw)
        if tok is not None:
            append(tok)
            continue
        if raw[0] == "#":
            append(raw.lower())
            for part in _CAMEL.findall(raw[1:]):
                append(_normalise_token(part))
            continue
        tok = _normalise_token(raw)
        if len(known) >= _NORMALISED_MAX:
            known.clear()
        known[raw] = tok
        append(tok)
    return out, elongated, caps


def contexts(toks: list[str], scope: int) -> list[int]:
    """Context bits per token: inside a negation scope, right after an intensifier, in an
    explicitly ironic text."""
    out = [0] * len(toks)
    remaining = 0
    previous = ""
    ironic = IRONIC if not IRONY_TAGS.isdisjoint(toks) else 0
    for i, tok in enumerate(toks):
        ctx = ironic
        if tok in _SCOPE_BREAK:
            remaining = 0
        elif remaining:
            ctx |= NEGATED
            remaining -= 1
        if previous in INTENSIFIERS:
            ctx |= INTENSIFIED
        if tok in NEGATORS:
            remaining = scope
        out[i] = ctx
        previous = tok
    return out


def _hash(key: str, mask: int) -> int:
    return zlib.crc32(key.encode("utf-8")) & mask


def token_ids(tok: str, ctx: int, cfg: Config) -> list[int]:
    """Hashed sparse feature ids of one token in its context."""
    mask = (1 << cfg.bits) - 1
    negated = ctx & NEGATED
    ids = []
    if negated:
        ids.append(_hash("n\x1f" + tok, mask))
        if cfg.negated_also_plain:
            ids.append(_hash("u\x1f" + tok, mask))
    else:
        ids.append(_hash("u\x1f" + tok, mask))
    if tok[0].isalpha() and len(tok) > 1 and not (negated and cfg.negated_chars == "none"):
        space = "d\x1f" if negated and cfg.negated_chars == "separate" else "c\x1f"
        padded = "<" + tok.rstrip("'") + ">"
        for n in range(cfg.char_min, cfg.char_max + 1):
            for start in range(len(padded) - n + 1):
                ids.append(_hash(space + padded[start : start + n], mask))
    return ids


def word_polarity(word: str) -> float:
    """Prior polarity of a word in [-1, 1]: the mean of its ELIta valence (human ratings) and
    its Sentix polarity, whichever exist."""
    sentix, elita = italian_polarity(word)
    if sentix and elita:
        return (sentix + elita) / 2
    return sentix or elita


def token_dense(tok: str, ctx: int) -> dict[int, float]:
    """The token's additions to the dense features (a sparse dict: index -> value)."""
    out: dict[int, float] = {}
    count = _TOKEN_COUNTS.get(tok)
    if count is not None:
        out[count] = 1.0
    first = tok[0]
    if first.isalpha():
        if tok in NEGATORS:
            out[_D["negator"]] = 1.0
        elif tok in CONTRAST:
            out[_D["contrast"]] = 1.0
        value = word_polarity(tok.rstrip("'"))
        if value:
            negated = ctx & NEGATED
            if value > 0:
                # Explicit irony: praise reads as its opposite (86 % of SENTIPOLC's ironic
                # tweets are negative), so positive words count as negated; negative ones stay.
                key = "lexicon+ negated" if negated or ctx & IRONIC else "lexicon+"
            else:
                key = "lexicon- negated" if negated else "lexicon-"
            out[_D[key]] = abs(value)
            if ctx & INTENSIFIED and not negated:
                out[_D["lexicon+ intensified" if value > 0 else "lexicon- intensified"]] = abs(value)
    elif first == "#":
        out[_D["hashtag"]] = 1.0
        if tok in IRONY_TAGS:
            out[_D["irony tag"]] = 1.0
    elif tok in POSITIVE_EMOTICONS:
        out[_D["emoticon+"]] = 1.0
    elif tok in NEGATIVE_EMOTICONS:
        out[_D["emoticon-"]] = 1.0
    elif tok in WINK_EMOTICONS:
        out[_D["wink"]] = 1.0
    elif len(tok) == 1 and not first.isalnum():
        # Emoji are rare in the training tweets (94 of 7,410), too rare to learn a weight
        # of their own: they count as lexicon words, with their lexicon valence.
        polarity = emoji_lexicon().get(tok)
        if polarity:
            out[_D["lexicon+" if polarity > 0 else "lexicon-"]] = abs(polarity)
    return out


def bigram_ids(toks: list[str], ctxs: list[int], cfg: Config) -> list[int]:
    """Hashed word bigrams; one that ends inside a negation scope lives in its own space
    ("non mi piace" must not fire the "mi piace" of praise)."""
    if not cfg.bigrams:
        return []
    mask = (1 << cfg.bits) - 1
    crc = zlib.crc32
    return [
        crc(f"{'m' if ctx & NEGATED else 'b'}\x1f{a}\x1f{b}".encode("utf-8")) & mask
        for a, b, ctx in zip(toks, toks[1:], ctxs[1:])
    ]


def doc_dense_extra(toks: list[str], elongated: int, caps: int) -> dict[int, float]:
    return {_D["elongated"]: float(min(elongated, 3)), _D["caps"]: float(min(caps, 3)), _D["log tokens"]: math.log1p(len(toks))}


def features(text: str, cfg: Config) -> tuple[list[int], np.ndarray]:
    """Training view of one text: sparse ids (with repeats: counts) and the dense vector."""
    toks, elongated, caps = tokens(text, cfg.max_chars)
    ctxs = contexts(toks, cfg.negation_scope)
    ids: list[int] = []
    dense = np.zeros(N_DENSE, dtype=np.float64)
    for tok, ctx in zip(toks, ctxs):
        ids.extend(token_ids(tok, ctx, cfg))
        for index, value in token_dense(tok, ctx).items():
            dense[index] += value
    ids.extend(bigram_ids(toks, ctxs, cfg))
    for index, value in doc_dense_extra(toks, elongated, caps).items():
        dense[index] += value
    return ids, dense


@dataclass
class LinearModel:
    """Weights of the two classifiers over [hashed sparse | dense | bias] and their thresholds."""

    cfg: Config
    w_pos: np.ndarray
    w_neg: np.ndarray
    threshold_pos: float
    threshold_neg: float
    _cache: dict[str, tuple[float, float, int]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    cache_size: int = 200_000

    def __post_init__(self) -> None:
        size = 1 << self.cfg.bits
        self._sparse_pos = self.w_pos[:size].astype(np.float64)
        self._sparse_neg = self.w_neg[:size].astype(np.float64)
        # Plain arrays for the few per-text look-ups (bigrams): cheaper than numpy indexing.
        self._list_pos = array("d", self._sparse_pos.tobytes())
        self._list_neg = array("d", self._sparse_neg.tobytes())
        self._dense_pos = [float(x) for x in self.w_pos[size : size + N_DENSE]]
        self._dense_neg = [float(x) for x in self.w_neg[size : size + N_DENSE]]
        self._bias_pos = float(self.w_pos[-1])
        self._bias_neg = float(self.w_neg[-1])

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            w_pos=self.w_pos.astype(np.float16),
            w_neg=self.w_neg.astype(np.float16),
            thresholds=np.array([self.threshold_pos, self.threshold_neg], dtype=np.float64),
            config=np.frombuffer(self.cfg.to_json().encode("utf-8"), dtype=np.uint8),
        )

    @classmethod
    def load(cls, path: Path) -> "LinearModel":
        with np.load(path, allow_pickle=False) as data:
            cfg = Config.from_json(data["config"].tobytes().decode("utf-8"))
            thresholds = data["thresholds"]
            return cls(cfg, data["w_pos"].astype(np.float32), data["w_neg"].astype(np.float32),
                       float(thresholds[0]), float(thresholds[1]))

    def _token(self, tok: str, ctx: int) -> tuple[float, float, int, float, float]:
        key = f"{ctx}{tok}"
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        ids = token_ids(tok, ctx, self.cfg)
        sparse_pos = float(self._sparse_pos[ids].sum())
        sparse_neg = float(self._sparse_neg[ids].sum())
        dense_pos = dense_neg = 0.0
        for index, value in token_dense(tok, ctx).items():
            dense_pos += self._dense_pos[index] * value
            dense_neg += self._dense_neg[index] * value
        entry = (sparse_pos, sparse_neg, len(ids), dense_pos, dense_neg)
        if len(self._cache) >= self.cache_size:
            with self._lock:
                self._cache.clear()
        self._cache[key] = entry
        return entry

    def logits(self, text: str) -> tuple[float, float]:
        cfg = self.cfg
        toks, elongated, caps = tokens(text, cfg.max_chars)
        ctxs = contexts(toks, cfg.negation_scope)
        sparse_pos = sparse_neg = dense_pos = dense_neg = 0.0
        n = 0
        for tok, ctx in zip(toks, ctxs):
            sp, sn, count, dp, dn = self._token(tok, ctx)
            sparse_pos += sp
            sparse_neg += sn
            dense_pos += dp
            dense_neg += dn
            n += count
        bigrams = bigram_ids(toks, ctxs, cfg)
        w_pos, w_neg = self._list_pos, self._list_neg
        for index in bigrams:
            sparse_pos += w_pos[index]
            sparse_neg += w_neg[index]
        n += len(bigrams)
        for index, value in doc_dense_extra(toks, elongated, caps).items():
            dense_pos += self._dense_pos[index] * value
            dense_neg += self._dense_neg[index] * value
        norm = 1.0 / math.sqrt(n) if n else 0.0
        return (
            self._bias_pos + sparse_pos * norm + dense_pos,
            self._bias_neg + sparse_neg * norm + dense_neg,
        )


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def rescale(p: float, threshold: float) -> float:
    """Map a probability piecewise-linearly so that the decision threshold lands on 0.5."""
    if p < threshold:
        return 0.5 * p / threshold
    return 0.5 + 0.5 * (p - threshold) / (1.0 - threshold)


_MODEL: LinearModel | None = None
_MODEL_LOCK = threading.Lock()


def model() -> LinearModel:
    """The shipped model, loaded on first use."""
    global _MODEL
    if _MODEL is None:
        with _MODEL_LOCK:
            if _MODEL is None:
                _MODEL = LinearModel.load(MODEL_FILE)
    return _MODEL
