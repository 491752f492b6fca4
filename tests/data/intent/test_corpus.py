"""The hand-labelled intent corpus: every labelled id resolves, the files are well formed,
and no third-party text has leaked into the repository's test data."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TESTS_DATA = HERE.parent
SHARED = Path(__file__).resolve().parents[4] / "shared"


def _load_corpus_module():
    # The suite runs with --import-mode=importlib, so import the loader by path.
    name = "passaparola_intent_corpus"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()

needs_shared = pytest.mark.skipif(
    not (SHARED / "data").is_dir(), reason=f"shared data folder not found at {SHARED}"
)


@pytest.fixture(scope="module", params=corpus.LANGUAGES)
def labelled(request):
    if not (SHARED / "data").is_dir():
        pytest.skip(f"shared data folder not found at {SHARED}")
    return request.param, corpus.load_labelled(SHARED, request.param)


@pytest.mark.parametrize("language", corpus.LANGUAGES)
def test_label_files_are_well_formed(language):
    rows = corpus.read_labels(language)  # checks header, labels and samples
    assert len(rows) >= 300
    keys = [(r.source, r.id) for r in rows]
    duplicates = [k for k, n in Counter(keys).items() if n > 1]
    assert not duplicates, f"duplicate (source, id) in labels_{language}.csv: {duplicates}"
    assert all(r.label in corpus.LABELS for r in rows)
    assert {r.sample for r in rows} == {"A", "B"}
    assert sum(r.sample == "A" for r in rows) >= 250
    assert sum(r.sample == "B" for r in rows) >= 50


@pytest.mark.parametrize("language", corpus.LANGUAGES)
def test_notes_are_short(language):
    # Notes are the annotator's reason in a few words, never a quotation of the text.
    for row in corpus.read_labels(language):
        assert len(row.note) <= 100, f"labels_{language}.csv:{row.line}: note too long"
        assert '"' not in row.note, f"labels_{language}.csv:{row.line}: note looks like a quote"


def test_every_labelled_id_has_its_text(labelled):
    language, items = labelled
    rows = corpus.read_labels(language)
    assert len(items) == len(rows) >= 300
    assert all(item.text.strip() for item in items), "a labelled text is empty"


def test_every_intent_is_represented(labelled):
    language, items = labelled
    counts = Counter(item.label for item in items)
    assert set(counts) == set(corpus.LABELS), counts


@needs_shared
def test_missing_id_raises_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "labels_it.csv"
    bad.write_text("source,id,sample,label,note\nsentipolc16,0000,A,other,\n", encoding="utf-8")
    monkeypatch.setattr(corpus, "labels_path", lambda language: bad)
    with pytest.raises(corpus.CorpusError, match=r"id '0000' not found in source 'sentipolc16'"):
        corpus.load_labelled(SHARED, "it")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _repository_files() -> list[Path]:
    files = []
    for path in sorted(TESTS_DATA.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append(path)
    return files


@needs_shared
def test_no_labelled_text_is_copied_into_the_repository():
    """Third-party texts stay in shared/: none of them (whole, or any 8-word run) may appear
    in a file under tests/data. Very short texts (under 20 characters) are not checked."""
    texts = [
        item.text for language in corpus.LANGUAGES for item in corpus.load_labelled(SHARED, language)
    ]
    whole = {_normalise(t) for t in texts if len(_normalise(t)) >= 20}
    runs = set().union(*(_shingles(t) for t in texts))
    leaks = []
    for path in _repository_files():
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        flat = _normalise(content)
        leaks += [(path.name, t[:40]) for t in whole if t in flat]
        leaks += [(path.name, " ".join(run)) for run in _shingles(content) & runs]
    assert not leaks, f"third-party text found in the repository: {leaks[:5]}"
