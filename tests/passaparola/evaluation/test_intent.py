"""Intent on hand-labelled real texts (tests/data/intent): the held-out half must beat the
trivial answers clearly. The figures themselves: ``passaparola eval intent``."""

import importlib.util
import sys
from pathlib import Path

import pytest

from passaparola.evaluation.intent import half_of, macro_f1, per_class, predict

LABELS = Path(__file__).resolve().parents[2] / "data" / "intent"


@pytest.fixture(scope="module")
def corpus():
    spec = importlib.util.spec_from_file_location("intent_corpus_for_eval", LABELS / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", ["it", "en"])
def test_held_out_half_beats_trivial_baselines(corpus, shared, language):
    rows = [r for r in corpus.load_labelled(shared, language) if half_of(r.source, r.id) == "test"]
    gold = [r.label for r in rows]
    ours = macro_f1(per_class(gold, predict([r.text for r in rows], language)))
    majority = macro_f1(per_class(gold, ["other"] * len(rows)))
    question_marks = macro_f1(per_class(gold, ["question" if "?" in r.text else "other" for r in rows]))
    assert ours >= 2 * majority, (ours, majority)
    assert ours >= question_marks + 0.1, (ours, question_marks)


def test_halves_are_stable_and_balanced(corpus, shared):
    rows = corpus.load_labelled(shared, "it") + corpus.load_labelled(shared, "en")
    halves = [half_of(r.source, r.id) for r in rows]
    assert halves == [half_of(r.source, r.id) for r in rows]  # deterministic
    assert 0.4 <= halves.count("test") / len(halves) <= 0.6


def test_per_class_counts_precision_and_recall():
    figures = {f.intent: f for f in per_class(["complaint", "complaint", "other"], ["complaint", "other", "complaint"])}
    assert figures["complaint"].precision == 0.5 and figures["complaint"].recall == 0.5
    assert figures["other"].precision == 0.0 and figures["other"].recall == 0.0
    assert figures["purchase"].precision is None and figures["purchase"].recall is None
