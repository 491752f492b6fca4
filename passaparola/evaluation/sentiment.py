"""How good the sentiment methods are, measured on the data in ``../shared`` (never shipped).

:func:`evaluation_report` computes:

- Italian: the official SENTIPOLC 2016 polarity F (mean over the pos and neg fields of the
  mean F1 of classes 0 and 1) by stratified 10-fold cross-validation, retraining the
  shipped configuration in each fold, on the four fifths of the training tweets outside the
  dev split that chose the hyper-parameters (:mod:`passaparola.training.italian_sentiment`).
  The headline is model + customer cues, as ``sentiment()`` answers; baselines on the same
  folds: all neutral, vaderSentiment (compound >= 0.05 pos, <= -0.05 neg), lexicon only
  (each side thresholded on the training folds). The 0.68 target is for the held-out test
  set (other weeks and topics), which CV usually overestimates; here the CV mean must clear it.
- English: Pearson r of our compound against the human ratings of the VADER paper's NYT,
  movie and Amazon snippets (target: plain vaderSentiment's r, at three decimals); for
  information, the same on SemEval 2015 task 11 tweets, where the irony rule was tuned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from passaparola.training import italian_sentiment as training
from streams.enrichment.sentiment import customer, english, italian

IT_TARGET = 0.68
EN_SETS = {
    "NYT editorials": "vader_nytEditorialSnippets_GroundTruth.txt",
    "movie reviews": "vader_movieReviewSnippets_GroundTruth.txt",
    "Amazon reviews": "vader_amazonReviewSnippets_GroundTruth.txt",
}
SEMEVAL = "semeval2015_task11_train.tsv"
EN_DIR = Path("data/sentiment/en")


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    target: float | None = None  # what ``value`` must reach
    baseline: float | None = None  # what it is compared with
    passed: bool | None = None  # None: informative, no target
    note: str = ""


# --------------------------------------------------------------------------- Italian


def lexicon_strengths(text: str) -> tuple[float, float]:
    """(positive, negative) strength of a text from the lexicons alone: the summed prior
    polarity of its words and emoji, a negated word counting for the other side."""
    toks, _, _ = italian.tokens(text)
    ctxs = italian.contexts(toks, italian.Config().negation_scope)
    pos = neg = 0.0
    for tok, ctx in zip(toks, ctxs):
        dense = italian.token_dense(tok, ctx)
        for name in ("lexicon+", "lexicon- negated"):
            pos += dense.get(italian.DENSE_NAMES.index(name), 0.0)
        for name in ("lexicon-", "lexicon+ negated"):
            neg += dense.get(italian.DENSE_NAMES.index(name), 0.0)
    return pos, neg


def _fit_cut(y: np.ndarray, strength: np.ndarray) -> float:
    cuts = np.unique(np.quantile(strength, np.linspace(0.05, 0.95, 37)))
    scores = [training.field_f(y, (strength > c).astype(np.int8)) for c in cuts]
    return float(cuts[int(np.argmax(scores))])


def _with_cues(pos: np.ndarray, neg: np.ndarray, forced: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Fold predictions after :func:`customer.adjust`, as ``sentiment()`` ships them."""
    pos, neg = pos.copy(), neg.copy()
    for i, label in enumerate(forced):
        if neg[i]:  # negative or mixed already: the cues leave it
            continue
        if label == "negative":
            pos[i], neg[i] = 0, 1
        elif label == "mixed":
            pos[i], neg[i] = 1, 1
    return pos, neg


def italian_cv(shared: Path, k: int = 10, subset: int | None = None, seed: int = 0) -> dict[str, list[float]]:
    """Per-fold polarity F of the model and of the three baselines, on the non-dev tweets
    (about ``subset`` of them, a deterministic stratified sample, if given)."""
    tweets = training.load_sentipolc(shared)
    rest, _dev = training.dev_split(tweets)
    tweets = tweets.subset(rest)
    if subset is not None and subset < len(tweets):
        parts = max(2, round(len(tweets) / subset))
        tweets = tweets.subset(np.flatnonzero(training.stratified_folds(tweets, parts, seed=seed + 7) == 0))
    cfg = italian.model().cfg
    d = training.design(tweets.texts, cfg)
    folds = training.stratified_folds(tweets, k, seed=seed)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    compound = np.array([vader.polarity_scores(t)["compound"] for t in tweets.texts])
    strengths = np.array([lexicon_strengths(t) for t in tweets.texts])
    cues = [customer.adjust("neutral", 0.0, t, "it").label for t in tweets.texts]  # what the cues would force
    out: dict[str, list[float]] = {
        "model": [], "model + customer cues": [], "all neutral": [], "vaderSentiment": [], "lexicon only": []
    }
    for fold in range(k):
        train, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        pos, neg = tweets.pos[test], tweets.neg[test]
        fitted = training.fit(d.take(train), tweets.subset(train))
        pos_pred, neg_pred = fitted.predict(d.take(test))
        out["model"].append(training.polarity_f(pos, neg, pos_pred, neg_pred))
        out["model + customer cues"].append(
            training.polarity_f(pos, neg, *_with_cues(pos_pred, neg_pred, [cues[i] for i in test]))
        )
        zeros = np.zeros(len(test), dtype=np.int8)
        out["all neutral"].append(training.polarity_f(pos, neg, zeros, zeros))
        out["vaderSentiment"].append(
            training.polarity_f(pos, neg, (compound[test] >= 0.05).astype(np.int8), (compound[test] <= -0.05).astype(np.int8))
        )
        cut_pos = _fit_cut(tweets.pos[train], strengths[train, 0])
        cut_neg = _fit_cut(tweets.neg[train], strengths[train, 1])
        out["lexicon only"].append(
            training.polarity_f(pos, neg, (strengths[test, 0] > cut_pos).astype(np.int8),
                                (strengths[test, 1] > cut_neg).astype(np.int8))
        )
    return out


# --------------------------------------------------------------------------- English


def load_rated(path: Path) -> tuple[np.ndarray, list[str]]:
    """(ratings, texts) of a tab-separated ``id, rating, text[, ...]`` file."""
    ratings, texts = [], []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            try:
                ratings.append(float(parts[1]))
            except ValueError:
                continue
            texts.append(parts[2])
    return np.array(ratings), texts


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def english_r(path: Path) -> tuple[float, float, int]:
    """(our r, plain vaderSentiment's r, number of texts)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    ratings, texts = load_rated(path)
    ours = np.array([english.vader_scores(t).compound for t in texts])
    plain = np.array([vader.polarity_scores(t)["compound"] for t in texts])
    return pearson(ours, ratings), pearson(plain, ratings), len(texts)


# --------------------------------------------------------------------------- report


def _mean_sd(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, sd


def evaluation_report(shared: Path) -> list[Figure]:
    """The figures of ``passaparola eval sentiment``, each with its target or baseline if any."""
    shared = Path(shared)
    figures: list[Figure] = []
    cv = italian_cv(shared)
    shipped = cv["model + customer cues"]  # what sentiment() answers
    model_mean, model_sd = _mean_sd(shipped)
    best_baseline = max(_mean_sd(cv[name])[0] for name in ("all neutral", "vaderSentiment", "lexicon only"))
    figures.append(
        Figure(
            "it: SENTIPOLC polarity F, 10-fold CV",
            model_mean,
            target=IT_TARGET,
            baseline=best_baseline,
            passed=model_mean >= IT_TARGET,
            note=f"model + customer cues, as shipped; sd {model_sd:.3f} over folds (min {min(shipped):.3f}, "
            f"max {max(shipped):.3f}); {len(shipped)} folds of the non-dev tweets; expect less on the test set",
        )
    )
    for name in ("model", "all neutral", "vaderSentiment", "lexicon only"):
        mean, sd = _mean_sd(cv[name])
        title = "it: the model alone (no customer cues)" if name == "model" else f"it: baseline, {name}"
        figures.append(Figure(title, mean, note=f"sd {sd:.3f}, same folds"))
    for name, filename in EN_SETS.items():
        ours, plain, n = english_r(shared / EN_DIR / filename)
        figures.append(
            Figure(
                f"en: Pearson r, VADER {name}",
                ours,
                target=round(plain, 3),
                baseline=plain,
                passed=round(ours, 3) >= round(plain, 3),
                note=f"{n} texts; target: plain vaderSentiment's r",
            )
        )
    ours, plain, n = english_r(shared / EN_DIR / SEMEVAL)
    figures.append(Figure("en: Pearson r, SemEval 2015 task 11", ours, baseline=plain,
                          note=f"{n} ironic tweets; the irony rule was tuned here"))
    return figures
