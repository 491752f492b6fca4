"""feedparser's own test feeds through ``FeedConnector.parse``: real shapes, encodings, breakage.

Every file under ``../shared/data/feeds/feedparser/`` must give mentions or a problem, never
an exception. Where a file's ``Expect:`` comment states an entry's title or link or the
number of entries, our mentions must carry it. The expression is read with ``ast`` (never
evaluated): only ``entries[N]['title'|'link'] == <string>``, ``len(entries) == N`` and a
top-level ``bozo`` / ``not bozo`` are understood; everything else is feedparser's business.

Documented allowances (counted and asserted small):
- a well-formed feed with no ``item``/``entry`` element at all gives nothing: there is
  nothing to drop and nothing wrong (the file is checked for such elements independently);
- an expected title that is only markup (``<img ...>``, sanitizer tests) has no text: a
  mention carries clean text, so there is nothing to compare;
- an expected link that is not a web address (``urn:``, ``tag:``): ``Mention.url`` keeps
  only http(s) links.
"""

from __future__ import annotations

import ast
import asyncio
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.schema import Mention
from core.settings import IngestSettings, Source
from ingest.connectors.base import Problem, SourceContext
from ingest.connectors.feed import FeedConnector
from ingest.http import HttpClient
from ingest.text import clean_text

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "feeds" / "feedparser"
if not CORPUS.is_dir():
    pytest.skip(f"feedparser corpus not found at {CORPUS}", allow_module_level=True)

# feedparser's harness served each file at this address; some expectations name it.
HARNESS_URL = "http://127.0.0.1:8097/tests/"
_EXPECT = re.compile(r"Expect:\s*(.*?)\s*(?:-->|\n)")
_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
_ENTRY_PROBLEM = re.compile(r"^entry #(\d+) ")
_ENTRY_ELEMENT = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.IGNORECASE)


@dataclass
class Result:
    path: Path
    text: str
    items: list = field(default_factory=list)
    error: str | None = None

    @property
    def mentions(self) -> list[Mention]:
        return [i for i in self.items if isinstance(i, Mention)]

    @property
    def problems(self) -> list[Problem]:
        return [i for i in self.items if isinstance(i, Problem)]

    def entries(self) -> list[Mention | None]:
        """Mentions in entry order, None where the entry became a problem ("entry #N ...")."""
        slots: list[Mention | None] = []
        for item in self.items:
            if isinstance(item, Mention):
                slots.append(item)
            elif (match := _ENTRY_PROBLEM.match(item.reason)) and int(match.group(1)) > len(slots):
                slots.extend([None] * (int(match.group(1)) - len(slots)))
        return slots


def _decoded(raw: bytes) -> str:
    # The comment is in the file's own encoding (some are UTF-16 or UTF-32).
    for encoding in ("utf-8", "utf-16", "utf-32", "utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "Description:" in text or "Expect:" in text:
            return text
    return raw.decode("latin-1")


@pytest.fixture(scope="module")
def results() -> list[Result]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")

    async def parse_all() -> list[Result]:
        source = Source(name="corpus", kind="feed", url=HARNESS_URL)
        async with HttpClient("corpus", IngestSettings()) as http:
            connector = FeedConnector(SourceContext(source), http)
            out = []
            for path in files:
                raw = path.read_bytes()
                text = _decoded(raw[:4000])
                headers = {k.strip(): v.strip() for k, v in _HEADER.findall(text.split("-->")[0])}
                result = Result(path, text)
                try:
                    url = HARNESS_URL + str(path.relative_to(CORPUS))
                    result.items = connector.parse(raw, url=url, headers=headers)
                except Exception as err:  # noqa: BLE001 - the very thing under test
                    result.error = f"{type(err).__name__}: {err}"
                out.append(result)
            return out

    return asyncio.run(parse_all())


def test_the_corpus_is_there(results):
    assert len(results) > 2000


def test_every_file_gives_mentions_or_a_problem(results):
    crashed = [f"{r.path.name}: {r.error}" for r in results if r.error]
    assert not crashed, crashed[:10]
    silent = [r for r in results if not r.items]
    # Nothing at all is right only for a feed that has no entry to give.
    with_entries = [r.path.name for r in silent if _ENTRY_ELEMENT.search(r.path.read_bytes().decode("latin-1"))]
    assert not with_entries, with_entries[:10]
    assert len(silent) < len(results) / 3, "most files should give mentions or problems"
    with_mentions, with_problems = sum(bool(r.mentions) for r in results), sum(bool(r.problems) for r in results)
    print(f"\nfeed corpus: {len(results)} files, {with_mentions} with mentions, {with_problems} with problems, "
          f"{len(silent)} well-formed feeds without entries")


def _checks(expect: str) -> list[tuple]:
    """("title"|"link", index, expected), ("count", None, n), ("bozo", None, bool) from an Expect."""
    try:
        tree = ast.parse(expect, mode="eval").body
    except SyntaxError:
        return []
    terms = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    out: list[tuple] = []
    for term in terms:
        if _is_bozo(term):
            out.append(("bozo", None, True))
        elif isinstance(term, ast.UnaryOp) and isinstance(term.op, ast.Not) and _is_bozo(term.operand):
            out.append(("bozo", None, False))
        elif isinstance(term, ast.Compare) and all(isinstance(op, ast.Eq) for op in term.ops):
            operands = [term.left, *term.comparators]
            values = [v for v in map(_constant, operands) if v is not None]
            targets = [t for t in map(_target, operands) if t]
            if len(values) == 1 and len(targets) == len(operands) - 1:
                out.extend((kind, index, values[0]) for kind, index in targets)
    return out


def _is_bozo(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "bozo"


def _constant(node: ast.AST) -> str | int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # 'a -' + '- b': split comment markers
        left, right = _constant(node.left), _constant(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    return None


def _target(node: ast.AST) -> tuple[str, int | None] | None:
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "len" and len(node.args) == 1:
        return ("count", None) if getattr(node.args[0], "id", None) == "entries" else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name, entry = node.slice.value, node.value
    elif isinstance(node, ast.Attribute):
        name, entry = node.attr, node.value
    else:
        return None
    of_an_entry = isinstance(entry, ast.Subscript) and getattr(entry.value, "id", None) == "entries"
    if name in ("title", "link") and of_an_entry and isinstance(getattr(entry.slice, "value", None), int):
        return name, entry.slice.value
    return None


def _verdict(result: Result, kind: str, index: int | None, expected) -> str:
    """"pass", "fail: ..." or "skip: <documented reason>"."""
    entries = result.entries()
    if kind == "count":
        return "pass" if len(entries) == expected else f"fail: {len(entries)} entries, expected {expected}"
    if kind == "bozo":
        document_problems = [p for p in result.problems if not _ENTRY_PROBLEM.match(p.reason)]
        if expected:
            return "pass" if result.problems else "fail: feedparser calls it bozo, we reported no problem"
        if document_problems and result.mentions:
            return f"fail: well-formed, yet {document_problems[0].reason}"
        return "pass"
    mention = entries[index] if index < len(entries) else None
    if kind == "title":
        wanted = {clean_text(expected), clean_text(html.escape(expected, quote=False))}
        if not clean_text(expected) and not (mention and mention.title):
            return "skip: the expected title is markup without text"
    elif not re.match(r"https?://", str(expected)):
        return "skip: Mention.url keeps only web links"
    else:
        wanted = {expected}
    if mention is None:
        return f"fail: no mention for entry {index}"
    got = (mention.title or "") if kind == "title" else mention.url
    return "pass" if got in wanted else f"fail: {kind} {got!r}, expected one of {sorted(wanted)!r}"


def test_expectations_about_entries_are_carried_by_the_mentions(results):
    verdicts: dict[str, list[str]] = {"pass": [], "fail": [], "skip": []}
    for result in results:
        match = _EXPECT.search(result.text)
        for kind, index, expected in _checks(match.group(1)) if match else []:
            if kind == "bozo":
                continue
            verdict = _verdict(result, kind, index, expected)
            verdicts[verdict.split(":")[0]].append(f"{result.path.relative_to(CORPUS)}: {verdict}")
    checked = len(verdicts["pass"]) + len(verdicts["fail"])
    print(f"\nfeed corpus expectations (title, link, count): {checked} checked, {len(verdicts['pass'])} passed, "
          f"{len(verdicts['skip'])} skipped")
    assert checked >= 75, "the Expect reader should find about eighty checkable expectations"
    assert not verdicts["fail"], "\n".join(verdicts["fail"][:20])
    assert len(verdicts["skip"]) <= 25, verdicts["skip"]


def test_problems_agree_with_feedparser_about_broken_documents(results):
    """A file feedparser calls bozo gives a problem; a well-formed one with entries gives none
    about the document (problems about one entry, such as an unreadable date, may remain)."""
    failures, checked = [], 0
    for result in results:
        match = _EXPECT.search(result.text)
        for kind, index, expected in _checks(match.group(1)) if match else []:
            if kind == "bozo":
                checked += 1
                verdict = _verdict(result, kind, index, expected)
                if verdict != "pass":
                    failures.append(f"{result.path.relative_to(CORPUS)}: {verdict}")
    print(f"\nfeed corpus bozo expectations: {checked} checked, {checked - len(failures)} agree")
    assert checked > 1000
    assert not failures, "\n".join(failures[:20])
