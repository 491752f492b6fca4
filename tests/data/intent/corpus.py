"""Hand-labelled intent ground truth: labels live here, texts stay in ``shared/``.

The label files (``labels_it.csv``, ``labels_en.csv``) hold only ``source, id, sample,
label, note``. Third-party text is never copied into the repository: :func:`load_labelled`
re-reads it from the shared data folder at run time and joins it by ``(source, id)``.
See ``GUIDELINES.md`` for the label definitions and how the sample was drawn.

Dependency-free apart from PyYAML, which is needed only for the recorded X and Mastodon
API cassettes (``api_x_*`` and ``api_mastodon_*`` sources).

Because the test suite runs with ``--import-mode=importlib``, import this file by path::

    spec = importlib.util.spec_from_file_location("intent_corpus", path_to_this_file)
    corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corpus
    spec.loader.exec_module(corpus)
"""

from __future__ import annotations

import base64
import csv
import gzip
import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent

LABELS: tuple[str, ...] = ("complaint", "question", "suggestion", "purchase", "praise", "other")
SAMPLES: tuple[str, ...] = ("A", "B")
LANGUAGES: tuple[str, ...] = ("it", "en")
HEADER: tuple[str, ...] = ("source", "id", "sample", "label", "note")

# Fixed sources: short name -> path inside shared/, and the reader that maps id -> text.
_FIXED_SOURCES: dict[str, str] = {
    "sentipolc16": "data/sentiment/it/sentipolc16_train.csv",
    "twcs": "data/conversations/twcs_sample.csv",
    "vader_amazon": "data/sentiment/en/vader_amazonReviewSnippets_GroundTruth.txt",
    "vader_movie": "data/sentiment/en/vader_movieReviewSnippets_GroundTruth.txt",
    "vader_nyt": "data/sentiment/en/vader_nytEditorialSnippets_GroundTruth.txt",
    "semeval15": "data/sentiment/en/semeval2015_task11_train.tsv",
}
# Recorded API responses: ``api_<platform>_<file stem>`` -> data/api/<platform>/<stem>.<ext>.
_API_EXT = {"x": ".yaml", "mastodon": ".yaml", "reddit": ".json"}


class CorpusError(LookupError):
    """A labels file is malformed, or a labelled id cannot be found in shared/."""


@dataclass(frozen=True)
class LabelledText:
    source: str
    id: str
    sample: str
    label: str
    text: str


@dataclass(frozen=True)
class LabelRow:
    """One row of a labels file, without the text (line is the 1-based csv line)."""

    source: str
    id: str
    sample: str
    label: str
    note: str
    line: int


def labels_path(language: str) -> Path:
    if language not in LANGUAGES:
        raise CorpusError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    return HERE / f"labels_{language}.csv"


def read_labels(language: str) -> list[LabelRow]:
    """The rows of ``labels_<language>.csv``, checked for shape (not for the texts)."""
    path = labels_path(language)
    rows: list[LabelRow] = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if tuple(header or ()) != HEADER:
            raise CorpusError(f"{path}: header must be {','.join(HEADER)}, found {header!r}")
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(HEADER):
                raise CorpusError(f"{path}:{line}: expected {len(HEADER)} fields, found {len(row)}")
            source, id_, sample, label, note = (cell.strip() for cell in row)
            if label not in LABELS:
                raise CorpusError(f"{path}:{line}: label {label!r} is not one of {LABELS}")
            if sample not in SAMPLES:
                raise CorpusError(f"{path}:{line}: sample {sample!r} is not one of {SAMPLES}")
            rows.append(LabelRow(source, id_, sample, label, note, line))
    return rows


def load_labelled(shared: Path, language: str) -> list[LabelledText]:
    """Every labelled row of ``language`` joined with its text from ``shared``.

    Raises :class:`CorpusError` naming the labels file line, the source file and the id when
    an id is missing, so a changed shared/ folder fails loudly instead of shrinking the set.
    """
    shared = Path(shared)
    texts = _TextIndex(shared)
    out: list[LabelledText] = []
    for row in read_labels(language):
        text = texts.get(row.source, row.id)
        if text is None:
            raise CorpusError(
                f"{labels_path(language).name}:{row.line}: id {row.id!r} not found in source "
                f"{row.source!r} ({texts.path(row.source)})"
            )
        out.append(LabelledText(row.source, row.id, row.sample, row.label, text))
    return out


# --------------------------------------------------------------------------- sources


class _TextIndex:
    """Lazily reads each source file once and maps its ids to texts."""

    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self._cache: dict[str, dict[str, str]] = {}

    def path(self, source: str) -> Path:
        if source in _FIXED_SOURCES:
            return self.shared / _FIXED_SOURCES[source]
        match = re.fullmatch(r"api_(x|mastodon|reddit)_(.+)", source)
        if not match:
            raise CorpusError(f"unknown source {source!r}")
        platform, stem = match.groups()
        return self.shared / "data" / "api" / platform / f"{stem}{_API_EXT[platform]}"

    def get(self, source: str, id_: str) -> str | None:
        if source not in self._cache:
            path = self.path(source)
            if not path.is_file():
                raise CorpusError(f"source {source!r}: file not found: {path}")
            self._cache[source] = _reader_for(source)(path)
        return self._cache[source].get(id_)


def _reader_for(source: str) -> Callable[[Path], dict[str, str]]:
    if source == "sentipolc16":
        return lambda p: _read_csv(p, "idtwitter", "text")
    if source == "twcs":
        return lambda p: _read_csv(p, "tweet_id", "text")
    if source in ("vader_amazon", "vader_movie", "vader_nyt", "semeval15"):
        return _read_tab_separated
    if source.startswith("api_x_"):
        return _read_x_cassette
    if source.startswith("api_mastodon_"):
        return _read_mastodon_cassette
    if source.startswith("api_reddit_"):
        return _read_reddit_cassette
    raise CorpusError(f"unknown source {source!r}")


def _read_csv(path: Path, id_field: str, text_field: str) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row[id_field]: row[text_field] for row in csv.DictReader(f)}


def _read_tab_separated(path: Path) -> dict[str, str]:
    """``id <TAB> score <TAB> text [<TAB> tagged]`` (VADER ground truth and SemEval 2015)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise CorpusError(f"{path}: malformed line {line[:60]!r}")
        out[parts[0].strip()] = parts[2].strip()
    return out


def _load_yaml(path: Path) -> Any:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - PyYAML is in the project's venv
        raise CorpusError(f"reading {path} needs PyYAML (pip install pyyaml)") from exc
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _cassette_bodies(path: Path) -> Iterator[Any]:
    """Decoded JSON bodies of a VCR cassette (YAML or JSON, plain, base64 or gzip)."""
    doc = _load_yaml(path) if path.suffix == ".yaml" else json.loads(path.read_text(encoding="utf-8"))
    for interaction in doc.get("interactions", []):
        body = (interaction.get("response") or {}).get("body") or {}
        raw: Any = body.get("string")
        if raw is None and "base64_string" in body:
            raw = base64.b64decode(body["base64_string"])
        if isinstance(raw, bytes):
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            raw = raw.decode("utf-8", errors="replace")
        if not raw:
            continue
        try:
            yield json.loads(raw)
        except json.JSONDecodeError:
            continue


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _read_x_cassette(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for body in _cassette_bodies(path):
        data = body.get("data") if isinstance(body, dict) else None
        tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        includes = body.get("includes", {}) if isinstance(body, dict) else {}
        tweets = tweets + list(includes.get("tweets", []))
        for tweet in tweets:
            if isinstance(tweet, dict) and "id" in tweet and "text" in tweet:
                out.setdefault(str(tweet["id"]), tweet["text"])
    return out


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p") and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts)).strip()


def _read_mastodon_cassette(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for body in _cassette_bodies(path):
        for node in _walk(body):
            if "id" in node and isinstance(node.get("content"), str) and "uri" in node:
                out.setdefault(str(node["id"]), _html_to_text(node["content"]))
    return out


def _read_reddit_cassette(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for body in _cassette_bodies(path):
        for node in _walk(body):
            kind, data = node.get("kind"), node.get("data")
            if kind not in ("t1", "t3") or not isinstance(data, dict) or "name" not in data:
                continue
            if kind == "t1":
                text = data.get("body") or ""
            else:
                text = "\n\n".join(x for x in (data.get("title"), data.get("selftext")) if x)
            out.setdefault(data["name"], text)
    return out
