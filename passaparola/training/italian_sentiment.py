"""Build the shipped Italian sentiment artifacts from ``../shared`` (numpy only, deterministic).

    python -m passaparola.training.italian_sentiment --shared ../shared --out streams/enrichment/sentiment/data

writes into ``--out``:

- ``it_lexicon.tsv``: Sentix 3.1.1 polarity and ELIta valence per word (single words only,
  neutral entries dropped), both on [-1, 1];
- ``emoji_lexicon.tsv``: polarity of each emoji: ELIta's valence where ELIta rates it, else
  the Emoji Sentiment Ranking's (positive - negative) / (occurrences + 3);
- ``it_model.npz``: the two logistic regressions (positive yes/no, negative yes/no) trained
  on all 7,410 SENTIPOLC 2016 training tweets, their decision thresholds and the feature
  configuration. Numbers only: hashed feature weights, no vocabulary, no tweet text.

Protocol. Hyper-parameters (the L2 strength, the decision thresholds and the feature
options of :class:`~streams.enrichment.sentiment.italian.Config`) are chosen on a FIXED DEV
SPLIT, a stratified fifth of the tweets (:func:`dev_split`), with models trained on the
other four fifths. The reported figure (:mod:`passaparola.evaluation.sentiment`) is a
stratified 10-fold cross-validation on those four fifths only, so no reported fold chooses
anything. ``--tune`` re-runs the dev-split choice of thresholds per L2 strength and prints it.

The L2 strength: in-domain, the dev F is flat from 3e-5 to 3e-4 (within its noise), and the
test set is other weeks and topics, so the choice rests on a shift proxy inside the dev
split (train on the rest's political tweets, test on dev's other ones, and the reverse):
3e-4 and 1e-3 hold up best there, and 3e-4 loses less in-domain. Negated words' character
n-grams have their own hash space: no cost on dev, and negation behaves ("non mi piace").

The logistic regressions are fitted with our own L-BFGS on sparse data held as
(row, column, value) arrays; objective: mean log-loss + lambda/2 * ||w||^2 (bias free).
"""

from __future__ import annotations

import argparse
import csv
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from streams.enrichment.sentiment import italian, lexicons
from streams.enrichment.sentiment.italian import N_DENSE, Config, LinearModel

SENTIPOLC16 = Path("data/sentiment/it/sentipolc16_train.csv")
SENTIX = Path("data/lexicons/sentix/sentix_v3.1.1.csv")
ELITA = Path("data/lexicons/elita/ELIta_INTENSITY.txt")
EMOJI_RANKING = Path("data/lexicons/emoji/Emoji_Sentiment_Data_v1.0.csv")

# Chosen on the dev split (see the module docstring); never on the reported folds.
DEFAULT_LAMBDA = 3e-4
# The few dense (lexicon and count) weights are regularised ten times less than the
# hashed n-grams: they are what carries over to unseen words.
DENSE_LAMBDA_FACTOR = 0.1
# Probability cuts of the pos and neg decisions, maximising each field's F on the dev split
# (model trained on the rest). Below 0.5: both "yes" classes are the minority.
DEFAULT_THRESHOLDS = (0.30, 0.39)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Tweets:
    ids: list[str]
    texts: list[str]
    pos: np.ndarray  # 0/1
    neg: np.ndarray  # 0/1

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def polarity(self) -> np.ndarray:
        """0 neutral, 1 positive, 2 negative, 3 mixed (the four SENTIPOLC classes)."""
        return self.pos + 2 * self.neg

    def subset(self, rows: Sequence[int] | np.ndarray) -> "Tweets":
        rows = np.asarray(rows)
        return Tweets([self.ids[i] for i in rows], [self.texts[i] for i in rows], self.pos[rows], self.neg[rows])


def load_sentipolc(shared: Path) -> Tweets:
    """The SENTIPOLC 2016 training tweets with their ``opos`` and ``oneg`` labels."""
    ids, texts, pos, neg = [], [], [], []
    with (Path(shared) / SENTIPOLC16).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ids.append(row["idtwitter"])
            texts.append(row["text"])
            pos.append(int(row["opos"]))
            neg.append(int(row["oneg"]))
    return Tweets(ids, texts, np.array(pos, dtype=np.int8), np.array(neg, dtype=np.int8))


def _order_key(tweet_id: str, seed: int) -> int:
    return zlib.crc32(f"{seed}:{tweet_id}".encode())


def stratified_folds(tweets: Tweets, k: int, seed: int = 0) -> np.ndarray:
    """Fold number per tweet: within each polarity class, tweets sorted by a seeded hash of
    their id are dealt round-robin. Deterministic and independent of the file's order."""
    folds = np.empty(len(tweets), dtype=np.int32)
    polarity = tweets.polarity
    for cls in range(4):
        rows = [i for i in range(len(tweets)) if polarity[i] == cls]
        rows.sort(key=lambda i: _order_key(tweets.ids[i], seed))
        for rank, i in enumerate(rows):
            folds[i] = (rank + cls) % k
    return folds


def dev_split(tweets: Tweets) -> tuple[np.ndarray, np.ndarray]:
    """(rest, dev) row indices: the fixed stratified fifth used to choose hyper-parameters."""
    folds = stratified_folds(tweets, 5, seed=2016)
    return np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)


# --------------------------------------------------------------------------- lexicons


def build_lexicons(shared: Path, out: Path) -> None:
    """Write the word and emoji lexicons into ``out`` and make that directory the one in use."""
    out.mkdir(parents=True, exist_ok=True)
    words: dict[str, list[float]] = {}
    elita_emoji: dict[str, float] = {}
    with (Path(shared) / SENTIX).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lemma = row["lemma"].strip().lower()
            try:
                score = float(row["score"])
            except ValueError:
                continue
            if not lemma.isalpha() or abs(score) < 0.05:
                continue
            words.setdefault(lemma, [0.0, 0.0])[0] = round(score, 3)
    with (Path(shared) / ELITA).open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").rsplit(",", 2)
            if len(parts) != 3 or parts[1] != "valenza":
                continue
            word = parts[0].strip().lower()
            valence = (float(parts[2]) - 5.0) / 4.0
            if not word.replace("'", "").isalpha():
                char = lexicons.strip_emoji_modifiers(word)
                if len(char) == 1 and not char.isalnum():
                    elita_emoji[char] = round(valence, 3)
                continue  # expressions and symbol sequences are not single tokens
            if abs(valence) >= 0.05:
                words.setdefault(word, [0.0, 0.0])[1] = round(valence, 3)
    with (out / lexicons.IT_LEXICON_NAME).open("w", encoding="utf-8") as handle:
        handle.write("# word\tsentix polarity [-1,1]\telita valence rescaled to [-1,1]\n")
        handle.write("# Derived from Sentix 3.1.1 (CC BY-SA 4.0) and ELIta (CC0); see ATTRIBUTION.md\n")
        for word in sorted(words):
            sentix, elita = words[word]
            handle.write(f"{word}\t{sentix:g}\t{elita:g}\n")

    # Emoji: ELIta's human valence where it rates the emoji (about 200, newer ones included),
    # else the Emoji Sentiment Ranking's Laplace-smoothed score (positive - negative) / (n + 3).
    emoji: dict[str, tuple[float, str]] = {}
    with (Path(shared) / EMOJI_RANKING).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            char = lexicons.strip_emoji_modifiers(row["Emoji"])
            n = int(row["Occurrences"])
            if char:
                emoji[char] = ((int(row["Positive"]) - int(row["Negative"])) / (n + 3), "ranking")
    for char, valence in elita_emoji.items():
        emoji[char] = (valence, "elita")
    with (out / lexicons.EMOJI_LEXICON_NAME).open("w", encoding="utf-8") as handle:
        handle.write("# emoji\tpolarity [-1,1]\tsource: elita = ELIta valence (v - 5) / 4, "
                     "ranking = Emoji Sentiment Ranking (pos - neg) / (n + 3)\n")
        handle.write("# Derived from ELIta (CC0) and the Emoji Sentiment Ranking 1.0 (CC BY-SA 4.0); see ATTRIBUTION.md\n")
        for char in sorted(emoji):
            score, source = emoji[char]
            handle.write(f"{char}\t{score:.4f}\t{source}\n")
    lexicons.use_directory(out)


# --------------------------------------------------------------------------- design matrix


@dataclass
class Design:
    """Sparse hashed part as COO arrays (rows sorted), values already L2-normalised per text,
    plus the dense features. Columns are compacted to the hashed ids actually used."""

    rows: np.ndarray
    cols: np.ndarray  # compact column index
    vals: np.ndarray
    columns: np.ndarray  # compact index -> hashed id
    dense: np.ndarray  # (n, N_DENSE)
    n: int

    def take(self, rows: np.ndarray) -> "Design":
        rows = np.asarray(rows)
        remap = np.full(self.n, -1, dtype=np.int64)
        remap[rows] = np.arange(len(rows))
        keep = remap[self.rows] >= 0
        new_rows = remap[self.rows[keep]]
        order = np.argsort(new_rows, kind="stable")
        cols = self.cols[keep][order]
        used, compact = np.unique(cols, return_inverse=True)
        return Design(new_rows[order].astype(np.int32), compact.astype(np.int32), self.vals[keep][order], self.columns[used],
                      self.dense[rows], len(rows))


def design(texts: Sequence[str], cfg: Config) -> Design:
    """The :class:`Design` of ``texts`` under the feature configuration ``cfg``."""
    rows_list, ids_list, vals_list = [], [], []
    dense = np.zeros((len(texts), N_DENSE), dtype=np.float64)
    for r, text in enumerate(texts):
        ids, d = italian.features(text, cfg)
        dense[r] = d
        if ids:
            rows_list.append(np.full(len(ids), r, dtype=np.int32))
            ids_list.append(np.asarray(ids, dtype=np.int64))
            vals_list.append(np.full(len(ids), 1.0 / math.sqrt(len(ids))))
    rows = np.concatenate(rows_list) if rows_list else np.zeros(0, dtype=np.int32)
    ids = np.concatenate(ids_list) if ids_list else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals_list) if vals_list else np.zeros(0)
    columns, cols = np.unique(ids, return_inverse=True)
    return Design(rows, cols.astype(np.int32), vals, columns, dense, len(texts))


# --------------------------------------------------------------------------- logistic regression


def _lbfgs(fg, x0: np.ndarray, max_iter: int = 300, memory: int = 10, tol: float = 1e-5) -> np.ndarray:
    """Minimise a smooth convex function given ``fg(x) -> (f, grad)`` (two-loop L-BFGS,
    backtracking Armijo line search)."""
    x = x0.copy()
    f, g = fg(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    rho_hist: list[float] = []
    quiet = 0
    for _ in range(max_iter):
        q = g.copy()
        alphas = []
        for s, y, rho in zip(reversed(s_hist), reversed(y_hist), reversed(rho_hist)):
            a = rho * s.dot(q)
            alphas.append(a)
            q -= a * y
        if s_hist:
            q *= s_hist[-1].dot(y_hist[-1]) / y_hist[-1].dot(y_hist[-1])
        else:
            q /= max(1.0, float(np.linalg.norm(g)))
        for (s, y, rho), a in zip(zip(s_hist, y_hist, rho_hist), reversed(alphas)):
            b = rho * y.dot(q)
            q += (a - b) * s
        direction = -q
        slope = g.dot(direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_hist.clear(), y_hist.clear(), rho_hist.clear()
            direction = -g / max(1.0, float(np.linalg.norm(g)))
            slope = g.dot(direction)
        step = 1.0
        while True:
            x_new = x + step * direction
            f_new, g_new = fg(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s = x_new - x
        y = g_new - g
        sy = s.dot(y)
        if sy > 1e-12:
            s_hist.append(s), y_hist.append(y), rho_hist.append(1.0 / sy)
            if len(s_hist) > memory:
                s_hist.pop(0), y_hist.pop(0), rho_hist.pop(0)
        small = abs(f - f_new) <= tol * max(1.0, abs(f))
        quiet = quiet + 1 if small else 0
        x, f, g = x_new, f_new, g_new
        if quiet >= 2 or float(np.abs(g).max()) < 1e-7:
            break
    return x


def fit_logistic(d: Design, y: np.ndarray, lam: float = DEFAULT_LAMBDA, offset: np.ndarray | None = None, sparse: bool = True,
                 dense: bool = True) -> np.ndarray:
    """Weights over [compact sparse columns | dense | bias]; ``offset`` is added to every
    logit; ``sparse``/``dense`` False keeps that block at zero."""
    n_sparse = len(d.columns)
    y = y.astype(np.float64)
    n = d.n
    reg = np.full(n_sparse + N_DENSE + 1, lam)
    reg[n_sparse : n_sparse + N_DENSE] = lam * DENSE_LAMBDA_FACTOR
    reg[-1] = 0.0
    if not sparse:
        reg[:n_sparse] = 1e6
    if not dense:
        reg[n_sparse : n_sparse + N_DENSE] = 1e6
    base = np.zeros(n) if offset is None else offset

    # Row-sorted and column-sorted copies of the non-zeros, so both products are segment sums.
    row_order = np.lexsort((d.cols, d.rows))
    rows, cols, vals = d.rows[row_order], d.cols[row_order].astype(np.intp), d.vals[row_order].astype(np.float32)
    row_ids, row_starts = np.unique(rows, return_index=True)
    col_order = np.argsort(cols, kind="stable")
    c_rows, c_vals = rows[col_order].astype(np.intp), vals[col_order]
    col_ids, col_starts = np.unique(cols[col_order], return_index=True)
    dense_x = d.dense
    has_sparse = len(vals) > 0 and sparse

    def fg(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = base + dense_x @ w[n_sparse : n_sparse + N_DENSE] + w[-1]
        if has_sparse:
            z[row_ids] += np.add.reduceat(np.take(w.astype(np.float32), cols) * vals, row_starts, dtype=np.float64)
        margin = np.where(y > 0, z, -z)
        loss = np.logaddexp(0.0, -margin).mean()
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        r = (p - y) / n
        grad = np.zeros_like(w)
        if has_sparse:
            grad[col_ids] = np.add.reduceat(np.take(r.astype(np.float32), c_rows) * c_vals, col_starts, dtype=np.float64)
        grad[n_sparse : n_sparse + N_DENSE] = dense_x.T @ r
        grad[-1] = r.sum()
        grad += reg * w
        return loss + 0.5 * float((reg * w * w).sum()), grad

    return _lbfgs(fg, np.zeros(n_sparse + N_DENSE + 1))


def decision_values(d: Design, w: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Logits of ``d``'s texts under weights ``w`` fitted on a design whose columns are ``columns``."""
    n_sparse = len(columns)
    position = np.searchsorted(columns, d.columns)
    position = np.minimum(position, n_sparse - 1) if n_sparse else position
    known = (columns[position] == d.columns) if n_sparse else np.zeros(len(d.columns), dtype=bool)
    w_cols = np.where(known, w[position] if n_sparse else 0.0, 0.0)
    z = np.bincount(d.rows, weights=w_cols[d.cols] * d.vals, minlength=d.n)
    return z + d.dense @ w[n_sparse : n_sparse + N_DENSE] + w[-1]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# --------------------------------------------------------------------------- the official metric


def f1(y: np.ndarray, pred: np.ndarray, cls: int) -> float:
    tp = float(np.sum((pred == cls) & (y == cls)))
    fp = float(np.sum((pred == cls) & (y != cls)))
    fn = float(np.sum((pred != cls) & (y == cls)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def field_f(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean of the F1 of classes 0 and 1 on one field (pos or neg)."""
    return (f1(y, pred, 0) + f1(y, pred, 1)) / 2


def polarity_f(pos: np.ndarray, neg: np.ndarray, pos_pred: np.ndarray, neg_pred: np.ndarray) -> float:
    """SENTIPOLC's official polarity score: mean over the pos and neg fields of :func:`field_f`."""
    return (field_f(pos, pos_pred) + field_f(neg, neg_pred)) / 2


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The cut on ``p`` in [0.20, 0.70] that maximises :func:`field_f`, averaged over neighbours."""
    grid = np.arange(0.20, 0.701, 0.01)
    scores = [field_f(y, (p >= t).astype(np.int8)) for t in grid]
    # Smooth over neighbours so one lucky cut does not decide.
    smooth = np.convolve(scores, np.ones(5) / 5, mode="same")
    return float(grid[int(np.argmax(smooth))])


# --------------------------------------------------------------------------- training runs


@dataclass
class Fitted:
    columns: np.ndarray
    w_pos: np.ndarray
    w_neg: np.ndarray
    threshold_pos: float
    threshold_neg: float

    def probabilities(self, d: Design) -> tuple[np.ndarray, np.ndarray]:
        return sigmoid(decision_values(d, self.w_pos, self.columns)), sigmoid(decision_values(d, self.w_neg, self.columns))

    def predict(self, d: Design) -> tuple[np.ndarray, np.ndarray]:
        p_pos, p_neg = self.probabilities(d)
        return (p_pos >= self.threshold_pos).astype(np.int8), (p_neg >= self.threshold_neg).astype(np.int8)


def fit(d: Design, tweets: Tweets, lam: float = DEFAULT_LAMBDA, thresholds: tuple[float, float] = DEFAULT_THRESHOLDS) -> Fitted:
    """Both classifiers on all of ``d``."""
    return Fitted(d.columns, fit_logistic(d, tweets.pos, lam), fit_logistic(d, tweets.neg, lam), *thresholds)


def cross_validate(tweets: Tweets, cfg: Config | None = None, k: int = 10, lam: float = DEFAULT_LAMBDA, seed: int = 0,
                   d: Design | None = None) -> list[float]:
    """Polarity F of each of ``k`` stratified folds (``d``: the texts' design, if already built)."""
    d = d if d is not None else design(tweets.texts, cfg or Config())
    folds = stratified_folds(tweets, k, seed=seed)
    scores = []
    for fold in range(k):
        train, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        model = fit(d.take(train), tweets.subset(train), lam)
        pos_pred, neg_pred = model.predict(d.take(test))
        scores.append(polarity_f(tweets.pos[test], tweets.neg[test], pos_pred, neg_pred))
    return scores


def to_shipped(fitted: Fitted, cfg: Config) -> LinearModel:
    """The fitted weights spread back over the full hashed space, as the shipped model."""
    size = 1 << cfg.bits
    full_pos = np.zeros(size + N_DENSE + 1, dtype=np.float32)
    full_neg = np.zeros(size + N_DENSE + 1, dtype=np.float32)
    n_sparse = len(fitted.columns)
    full_pos[fitted.columns] = fitted.w_pos[:n_sparse]
    full_neg[fitted.columns] = fitted.w_neg[:n_sparse]
    full_pos[size:] = fitted.w_pos[n_sparse:]
    full_neg[size:] = fitted.w_neg[n_sparse:]
    return LinearModel(cfg, full_pos, full_neg, fitted.threshold_pos, fitted.threshold_neg)


def train(shared: Path, out: Path, cfg: Config | None = None, lam: float = DEFAULT_LAMBDA) -> LinearModel:
    """Build the lexicons, fit both classifiers on every training tweet, save the model into ``out``."""
    cfg = cfg or Config()
    build_lexicons(shared, out)
    tweets = load_sentipolc(shared)
    fitted = fit(design(tweets.texts, cfg), tweets, lam)
    shipped = to_shipped(fitted, cfg)
    shipped.save(out / italian.MODEL_FILE.name)
    return shipped


def tune(shared: Path, cfg: Config | None = None,
         lambdas: Sequence[float] = (3e-5, 1e-4, 3e-4, 1e-3)) -> list[tuple[float, float, float, float]]:
    """The dev-split protocol: for each L2 strength, train on the rest, pick each field's
    threshold on dev; (lambda, t_pos, t_neg, dev F). Lexicons must be in place already."""
    cfg = cfg or Config()
    tweets = load_sentipolc(shared)
    rest, dev = dev_split(tweets)
    d = design(tweets.texts, cfg)
    out = []
    for lam in lambdas:
        fitted = fit(d.take(rest), tweets.subset(rest), lam)
        p_pos, p_neg = fitted.probabilities(d.take(dev))
        t_pos = best_threshold(tweets.pos[dev], p_pos)
        t_neg = best_threshold(tweets.neg[dev], p_neg)
        f = polarity_f(tweets.pos[dev], tweets.neg[dev], (p_pos >= t_pos).astype(np.int8), (p_neg >= t_neg).astype(np.int8))
        out.append((lam, t_pos, t_neg, f))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=italian.MODEL_FILE.parent)
    parser.add_argument("--tune", action="store_true", help="print the dev-split choices instead of training")
    args = parser.parse_args(argv)
    if args.tune:
        build_lexicons(args.shared, args.out)
        for lam, t_pos, t_neg, f in tune(args.shared):
            print(f"lambda {lam:g}: thresholds pos {t_pos:.2f} neg {t_neg:.2f}, dev F {f:.4f}")
        return
    model = train(args.shared, args.out)
    size = (args.out / italian.MODEL_FILE.name).stat().st_size
    print(f"wrote {args.out / italian.MODEL_FILE.name} ({size / 1e6:.2f} MB), "
          f"thresholds pos {model.threshold_pos:.2f} neg {model.threshold_neg:.2f}")


if __name__ == "__main__":
    main()
