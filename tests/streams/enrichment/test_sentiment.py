"""Sentiment for Italian and English: behaviour, robustness, the artifact, and a small CV check.

Short example sentences here are our own; real tweets are read from ../shared at run time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from passaparola.evaluation.sentiment import load_rated
from passaparola.training import italian_sentiment as training
from streams.enrichment.sentiment import MAX_CHARS, SentimentResult, english, italian, lexicons, sentiment

LABELS = {"positive", "negative", "neutral", "mixed"}
DATA = Path(italian.__file__).resolve().parent / "data"


def it(text: str) -> SentimentResult:
    result = sentiment(text, "it")
    assert result.method == "it-linear-v1+cx"
    return result


def en(text: str) -> SentimentResult:
    result = sentiment(text, "en")
    assert result.method == "vader-social-v1"
    return result


# --------------------------------------------------------------------------- Italian


@pytest.mark.parametrize(
    ("plain", "negated"),
    [
        ("il servizio è ottimo", "il servizio non è ottimo"),
        ("mi piace", "non mi piace"),
        ("è utile", "non è utile"),
    ],
)
def test_italian_negation_flips_or_weakens_praise(plain, negated):
    before, after = it(plain), it(negated)
    assert before.label == "positive"
    assert after.score < before.score - 0.3
    assert after.label != "positive"


def test_italian_negated_dislike_is_negative():
    assert it("non mi piace").label == "negative"
    assert it("non mi piace").score < 0


@pytest.mark.parametrize(
    ("plain", "intensified"),
    [
        ("il film è bello", "il film è molto bello"),
        ("un prodotto fantastico", "un prodotto super fantastico"),
    ],
)
def test_italian_intensifier_strengthens_praise(plain, intensified):
    assert it(intensified).score > it(plain).score


def test_italian_intensifier_strengthens_criticism():
    assert it("il servizio è molto brutto").score < it("il servizio è brutto").score
    assert it("il servizio è molto brutto").label == "negative"


@pytest.mark.parametrize(
    ("literal", "ironic"),
    [
        ("Che bello il lunedì mattina", "Che bello il lunedì mattina #ironia"),
        ("Bravo, ottimo lavoro", "Bravo, ottimo lavoro #sarcasmo"),
    ],
)
def test_italian_irony_tag_undoes_literal_praise(literal, ironic):
    assert it(ironic).score < it(literal).score - 0.3
    assert it(ironic).label != "positive"


def test_italian_mixed_when_both_sides_are_clear():
    assert it("ottimo prodotto ma consegna pessima, una vergogna").label == "mixed"
    assert it("Il cibo era ottimo ma il servizio una vergogna").label == "mixed"
    assert it("il cibo era ottimo").label == "positive"


def test_italian_clear_cases():
    assert it("grazie mille, siete fantastici!").label == "positive"
    assert it("che schifo, mai più").label == "negative"
    assert it("è un disastro").score < 0 < it("lo adoro").score


def test_italian_mixed_prediction_follows_the_annotation(shared):
    """On real tweets, "mixed" is predicted far more often for SENTIPOLC's (1,1) tweets than for neutral ones."""
    tweets = training.load_sentipolc(shared)
    rows = np.flatnonzero(training.stratified_folds(tweets, 8, seed=3) == 0)
    labels = {i: it(tweets.texts[i]).label for i in rows}
    mixed_rate = {
        cls: np.mean([labels[i] == "mixed" for i in rows if tweets.polarity[i] == cls]) for cls in (0, 3)
    }
    assert mixed_rate[3] > 3 * mixed_rate[0]
    assert mixed_rate[3] > 0.2


# --------------------------------------------------------------------------- English


def test_english_elongation_is_normalised():
    assert en("soooo goooood").score == en("so good").score > 0.3
    assert english.prepare("I loooove it") == "I love it"
    assert english.prepare("Hellooo") == "Helloo"  # unknown to the lexicon: two letters kept


def test_english_hashtags_reach_the_lexicon():
    assert en("#BestDayEver").score == en("Best Day Ever").score > 0.3
    assert en("this is #EpicFail").label == "negative"
    assert english.prepare("#fail") == "fail"


def test_english_handles_urls_and_entities_are_not_words():
    assert english.prepare("@love_island http://t.co/great ok").split() == ["ok"]
    assert en("@happy_guy see you at 5").score == en("see you at 5").score
    assert en("&lt;3 it").score > 0


def test_english_emoji_with_variation_selector_is_seen():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    with_selector = "I like it ❤️"  # U+2764 U+FE0F, as phones send it
    plain = SentimentIntensityAnalyzer().polarity_scores(with_selector)["compound"]
    assert en(with_selector).score == en("I like it ❤").score > plain


def test_english_irony_tag_and_mixed():
    assert en("Great service, thanks!").label == "positive"
    assert en("Great service, thanks! #sarcasm").label == "negative"
    assert en("I love it but the delivery was awful").label == "mixed"


def test_english_skips_vader_only_when_it_would_say_zero():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    for text in ["see you at 5", "the meeting is on monday", "ok, no", "what :)", "kind of"]:
        assert en(text).score == pytest.approx(vader.polarity_scores(text)["compound"])


# --------------------------------------------------------------------------- routing, robustness


@pytest.mark.parametrize("language", ["it", "en", None, "es", "und"])
def test_emoji_only_texts_carry_sentiment(language):
    assert sentiment("😍😍", language) == SentimentResult(sentiment("😍😍", language).score, "positive", "emoji-v1")
    assert sentiment("😡😡", language).label == "negative"
    assert sentiment("🤮", language).score < 0 < sentiment("❤️", language).score
    assert sentiment("👍 👎", language).label == "mixed"
    assert sentiment(":(", language).label == "negative"


def test_other_languages():
    assert sentiment("hola, ¿qué tal?", "es") == SentimentResult(0.0, "neutral", "none")
    assert sentiment("hola", None) == SentimentResult(0.0, "neutral", "none")
    assert sentiment("Me encanta 😍", "es").label == "positive"
    assert sentiment("mira http://x.co/a:/b", "es").method == "none"  # a URL is no emoticon
    assert sentiment("il servizio è ottimo", "it-IT") == sentiment("il servizio è ottimo", "it")
    assert sentiment("great", "EN") == sentiment("great", "en")


@pytest.mark.parametrize("text", ["", " ", "\n\t  ", "...", "123"])
@pytest.mark.parametrize("language", ["it", "en", None])
def test_empty_and_signless_texts_are_neutral(text, language):
    assert sentiment(text, language) == SentimentResult(0.0, "neutral", "none")


@pytest.mark.parametrize("language", ["it", "en", None, "fr"])
def test_huge_texts_are_capped(language):
    huge = ("ottimo servizio, grazie! " if language == "it" else "great service, thanks! ") * 45_000  # ~1 MB
    assert len(huge) > 1_000_000
    result = sentiment(huge, language)
    assert result == sentiment(huge[:MAX_CHARS], language)
    assert -1.0 <= result.score <= 1.0
    assert sentiment(" " * 1_000_000 + "ottimo", language) == SentimentResult(0.0, "neutral", "none")
    assert sentiment("😡" * 1_000_000, language).label == "negative"


def test_strange_inputs_do_not_crash():
    for text in ["\x00\x01", "‮bidi", "ﷺ", "a" * 5000, "🏳️‍🌈" * 10, "#" * 100, "@" * 100, ":" * 50, "Ⅻ", "ǅ", "x\u0301" * 50]:
        for language in ("it", "en", None):
            result = sentiment(text, language)
            assert -1.0 <= result.score <= 1.0 and result.label in LABELS


def _consistent(result: SentimentResult) -> None:
    assert -1.0 <= result.score <= 1.0
    assert result.label in LABELS
    if result.label == "positive":
        assert result.score > 0
    elif result.label == "negative":
        assert result.score < 0
    elif result.label == "neutral":
        bound = {"it-linear-v1+cx": 0.5, "vader-social-v1": english.POSITIVE, "emoji-v1": 0.1, "none": 0.0}[result.method]
        assert abs(result.score) <= bound
    elif result.method == "it-linear-v1+cx":  # mixed
        assert abs(result.score) < 0.5


def test_labels_are_consistent_with_scores(shared):
    tweets = training.load_sentipolc(shared)
    _, english_texts = load_rated(shared / "data/sentiment/en/semeval2015_task11_train.tsv")
    seen = set()
    for text in tweets.texts[::7]:
        result = it(text)
        _consistent(result)
        seen.add(result.label)
    for text in english_texts[::7]:
        result = en(text)
        _consistent(result)
        seen.add(result.label)
    for text in ["😍", "😡", "👍 👎", "🙂🙃", ":) :("]:
        _consistent(sentiment(text, None))
    assert seen == LABELS


def test_deterministic_across_processes(shared):
    """Same results in another process with another hash seed: feature hashing must be stable."""
    texts = training.load_sentipolc(shared).texts[:40]
    here = [list(sentiment(t, "it")) for t in texts]
    code = (
        "import json, sys\n"
        "from streams.enrichment.sentiment import sentiment\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([list(sentiment(t, 'it')) for t in texts]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True, env=env,
                         check=True, cwd=Path(__file__).resolve().parents[3])
    assert json.loads(out.stdout) == here
    assert [list(sentiment(t, "it")) for t in texts] == here


# --------------------------------------------------------------------------- the artifact


def test_artifact_loads_and_is_small():
    model = italian.LinearModel.load(italian.MODEL_FILE)
    assert model.w_pos.shape == model.w_neg.shape == ((1 << model.cfg.bits) + italian.N_DENSE + 1,)
    assert 0.0 < model.threshold_pos < 1.0 and 0.0 < model.threshold_neg < 1.0
    assert np.count_nonzero(model.w_pos) > 10_000
    assert italian.MODEL_FILE.stat().st_size < 3_000_000
    with np.load(italian.MODEL_FILE, allow_pickle=False) as data:
        assert sorted(data.files) == ["config", "thresholds", "w_neg", "w_pos"]
        assert all(data[name].dtype.kind in "fu" for name in data.files)
    assert (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8").count("CC BY-SA 4.0") >= 2


def _shipped() -> tuple[bytes, set[str]]:
    """The npz members decompressed and lowercased (for substring search), and the set of words
    of the shipped lexicons (which hold words tweets use too: there whole words count)."""
    binary, words = [], set()
    for path in DATA.iterdir():
        if path.suffix == ".npz":
            with zipfile.ZipFile(path) as archive:
                binary += [archive.read(name).lower() for name in archive.namelist()]
        elif path.suffix == ".tsv":  # ATTRIBUTION.md is our prose
            words.update(re.findall(r"[\w@#']+", path.read_text(encoding="utf-8").lower()))
    return b"\n".join(binary), words


def test_artifact_contains_no_training_text(shared):
    binary, shipped_words = _shipped()
    assert "ottimo" in shipped_words and b"ottimo" not in binary  # the lexicon has words; the model none
    tweets = training.load_sentipolc(shared).texts
    words = re.compile(r"[^\W\d_]{4,}")
    tokens_seen: set[str] = set()
    bigrams_seen: set[str] = set()
    for text in tweets[::60]:
        tokens = words.findall(text.lower())
        tokens_seen.update(tokens)
        bigrams_seen.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
        tokens_seen.update(re.findall(r"[@#]\w{4,}", text.lower()))
    tweet_only = {t for t in tokens_seen if t.lstrip("@#") not in lexicons.italian_lexicon()}
    assert len(tweet_only) > 300 and len(bigrams_seen) > 800
    for token in tokens_seen | bigrams_seen:
        assert token.encode("utf-8") not in binary, token
    for token in tweet_only:
        assert token not in shipped_words, token


def test_lexicon_suffix_rules():
    assert lexicons.italian_polarity("delusioni")[0] < 0  # plural -> delusione
    assert italian.word_polarity("bellissima") > 0.5  # superlative feminine -> bello
    assert italian.word_polarity("problemi") < 0
    assert italian.word_polarity("zxqwv") == 0.0


def test_customer_complaint_cues_make_italian_negative():
    # Read as barely negative or even positive by a model trained on political tweets.
    assert it("Ok, ufficialmente deluso da Caffè Aurora. Nessuno risponde.").label == "negative"
    assert it("Terza volta questo mese che l'ordine arriva in ritardo. Complimenti Aurora 👏").label == "negative"
    assert it("Ok, ufficialmente deluso da Caffè Aurora. Nessuno risponde.").score < 0


def test_customer_cues_outweighed_by_praise_give_mixed_not_negative():
    result = it("Il problema è stato risolto subito: grazie, bravissimi, servizio ottimo!")
    assert result.label in ("mixed", "positive")


def test_customer_cues_leave_texts_without_complaints_alone():
    from streams.enrichment.sentiment import customer

    assert customer.adjust("positive", 0.6, "Caffè buonissimo, grazie!", "it") == ("positive", 0.6)
    assert customer.adjust("neutral", 0.1, "Oggi piove a Milano", "it") == ("neutral", 0.1)
    assert customer.adjust("positive", 0.6, "Il pacco non è arrivato, vergogna", "it").label == "negative"
