"""Per-text cost of :func:`streams.enrichment.sentiment.sentiment`, printed (not a test).

    python -m passaparola.benchmarks.sentiment_speed --shared ../shared

Measures, on one core, real tweets from ``../shared`` (SENTIPOLC for Italian, SemEval 2015
for English; read at run time, never shipped): the first pass over texts the process has
never seen (the Italian per-word caches start empty, as in a fresh worker) and the steady
state (a second pass: a long-running worker sees mostly words it has met). Each figure is
the best of ``--repeat`` runs, in microseconds per text; the budget is about 70 µs for
Italian and 50 µs for English tweets.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from passaparola.evaluation.sentiment import EN_DIR, SEMEVAL, load_rated
from passaparola.training.italian_sentiment import load_sentipolc
from streams.enrichment.sentiment import MAX_CHARS, english, italian, sentiment


def per_text_us(texts: Sequence[str], language: str, repeat: int, before: Callable[[], None] | None = None) -> float:
    """Microseconds per text, best of ``repeat`` passes; ``before`` runs ahead of each pass."""
    best = float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        for text in texts:
            sentiment(text, language)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    it_texts = load_sentipolc(args.shared).texts
    _, en_texts = load_rated(args.shared / EN_DIR / SEMEVAL)
    sentiment("ciao", "it"), sentiment("hello", "en")  # load the model, lexicons and VADER
    model = italian.model()

    def clear() -> None:
        model._cache.clear()
        italian._NORMALISED.clear()

    print(f"Italian, {len(it_texts)} SENTIPOLC tweets (mean {sum(map(len, it_texts)) / len(it_texts):.0f} chars):")
    print(f"  first pass, empty word cache: {per_text_us(it_texts, 'it', args.repeat, clear):6.1f} µs/text")
    per_text_us(it_texts, "it", 1)
    print(f"  steady state, warm cache:     {per_text_us(it_texts, 'it', args.repeat):6.1f} µs/text")
    print(f"English, {len(en_texts)} SemEval tweets (mean {sum(map(len, en_texts)) / len(en_texts):.0f} chars):")
    print(f"  vader-social-v1:              {per_text_us(en_texts, 'en', args.repeat):6.1f} µs/text")
    analyzer = english._analyzer()[0]
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for text in en_texts:
            analyzer.polarity_scores(text)
        best = min(best, time.perf_counter() - start)
    print(f"  plain vaderSentiment:         {best / len(en_texts) * 1e6:6.1f} µs/text (for comparison)")
    long_it = " ".join(it_texts)[: 1 << 20]
    long_en = " ".join(en_texts)[: 1 << 20]
    for name, text, language in (("Italian", long_it, "it"), ("English", long_en, "en")):
        start = time.perf_counter()
        sentiment(text, language)
        print(f"{name} 1 MB text (only the first {MAX_CHARS} characters are scored): "
              f"{(time.perf_counter() - start) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
