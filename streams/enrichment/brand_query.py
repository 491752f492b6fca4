"""Brand queries: the boolean search of the listening suites, parsed once, matched fast.

A brand's ``query`` (:class:`core.settings.Brand`) says which mentions are about it::

    "caffè aurora" OR #caffeaurora OR @caffeaurora
    (spinlane OR #spinlane) NOT (site:spinlane.com OR author:spinlane_help)
    (aurora OR boreale) NEAR/3 (caffè OR miscela) AND lang:it

Terms
    ``aurora``          the word, and the hashtag ``#aurora`` (as the suites do); not ``@aurora``
    ``#aurora``         only the hashtag
    ``@aurora``         the handle mentioned in the text, or the author's own handle
    ``"caffè aurora"``  these words one after the other (each one matched as above)
    ``caff*``           any word that starts with ``caff``; also ``#caff*`` and ``@caff*``.
                        The ``*`` only ends a single term, never inside quotes.
    A term that punctuation splits (``e-commerce``, ``10:30``) is the phrase of its pieces.
    Quotes may be straight or curly (``“caffè aurora”``, as word processors write them).

Fields (values may be quoted; names are case-insensitive; any other ``name:`` is an error,
so quote text that holds a colon: ``"re:invent"``)
    ``author:x``        the author's handle, with or without ``@`` (also just ``user`` of
                        ``user@instance`` or ``user.bsky.social``), or their whole display
                        name: ``author:"Caffè Aurora"``; ``author:caff*`` by prefix
    ``site:host``       the URL is on that host or below it: ``site:example.com`` matches
                        ``www.example.com``, not ``badexample.com``
    ``lang:code``       the language: ``lang:pt`` matches ``pt`` and ``pt-BR``
    ``platform:name``   the connector's platform: x, mastodon, reddit, feed, ...

Operators, tightest first (UPPERCASE only: ``and``, ``or``, ``not``, ``near`` are words)
    ``NOT a``           a does not match
    ``a NEAR/n b``      a and b with at most n words between them, in either order
                        (``NEAR/0``: side by side). Each side is a term, phrase or wildcard,
                        an OR of those in parentheses, or another NEAR; never NOT, AND or a
                        field. ``(a OR b) NEAR/3 c`` and ``a NEAR/2 b NEAR/5 c`` are fine.
    ``a AND b``         both. Side by side, ``a b`` means ``a AND b`` (implicit AND), so
                        ``caffè aurora`` is two words anywhere: quote it for the phrase.
                        ``a NOT b`` is ``a AND NOT b``.
    ``a OR b``          either
    Parentheses group. Because NOT binds first, ``NOT a NEAR/2 b`` is an error: write
    ``NOT (a NEAR/2 b)``. A query of only NOTs matches every other mention.

Grammar (EBNF)::

    query   = or ;
    or      = and , { "OR" , and } ;
    and     = near , { [ "AND" ] , near } ;        (* no operator: implicit AND *)
    near    = unary , { "NEAR/" , digits , unary } ;
    unary   = "NOT" , unary | primary ;
    primary = "(" , or , ")" | '"' , words , '"' | term , [ "*" ] | field , ":" , value ;

Matching is case- and accent-insensitive: query and text are case-folded and stripped of
combining marks, so ``caffe`` matches ``Caffè`` and ``CAFFÈ``. The text searched is the
title then the text. Words are runs of letters, digits and ``_`` that keep a leading ``#``
or ``@`` (``l'aurora`` is ``l`` + ``aurora``, ``e-mail`` is ``e`` + ``mail``). A phrase
never runs from the title into the text; for NEAR that boundary counts as one word.

Errors are :class:`QuerySyntaxError`: the message names the 0-based position and draws a
caret under it. Inside, :func:`parse` builds a small AST and compiles it to closures over
a :class:`QueryDoc`, the per-mention index: terms are set look-ups, and word positions
(for phrases, NEAR and wildcards) are built only when a query first needs them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import TYPE_CHECKING, Callable, Iterable, NoReturn, Union
from urllib.parse import urlsplit

from core.schema import PLATFORMS

if TYPE_CHECKING:
    from core.schema import Mention
    from core.settings import Brand

FIELDS = ("author", "site", "lang", "platform")
MAX_DEPTH = 64  # nesting of parentheses, NOTs and NEARs; deeper is a mistake, not a query


# -- Words: one definition for queries and documents ----------------------------------


def _combining_marks() -> re.Pattern[str]:
    # Every combining mark of the BMP as a class of ranges (built once, a few ms).
    marks = [cp for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp))[0] == "M"]
    runs = [[cp for _, cp in run] for _, run in groupby(enumerate(marks), lambda p: p[1] - p[0])]
    return re.compile("[" + "".join(f"\\u{r[0]:04x}-\\u{r[-1]:04x}" for r in runs) + "]+")


_MARKS = _combining_marks()
_WORDS = re.compile(r"(?<!\w)[#@]\w+|\w+")
_PLAIN = re.compile(r"\w+")
_BREAK = "\x00"  # between title and text: matches no word, so phrases stop there


def fold(text: str) -> str:
    """Case-fold and drop accents: ``"Caffè"`` -> ``"caffe"``."""
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))


def words(text: str) -> list[str]:
    """The folded words of ``text``, with a leading ``#`` or ``@`` kept."""
    return _split(fold(text))


def _split(folded: str) -> list[str]:
    # Same as _WORDS.findall(folded), faster: most chunks between spaces are one plain word.
    found: list[str] = []
    for chunk in folded.split():
        if chunk.isalnum():
            found.append(chunk)
        else:
            found += _WORDS.findall(chunk)
    return found


def _plain(text: str) -> str:
    return " ".join(_PLAIN.findall(fold(text)))


# -- The document side ----------------------------------------------------------------


class _lazy:
    """Like ``functools.cached_property`` minus its lock, which costs more than the work here."""

    def __init__(self, compute: Callable):
        self.compute, self.name = compute, compute.__name__

    def __get__(self, doc, owner=None):
        if doc is None:
            return self
        value = doc.__dict__[self.name] = self.compute(doc)  # later reads skip the descriptor
        return value


@dataclass(frozen=True)
class QueryDoc:
    """What queries look at in one mention; build it once and match every brand against it.

    ``keys`` holds each word, each hashtag with and without ``#``, and each handle with
    ``@`` (the author's too): a term is one set look-up. Word positions are computed on
    first use, for the rare documents that get as far as a phrase or NEAR.
    """

    words: tuple[str, ...]
    keys: frozenset[str]
    author: frozenset[str] = frozenset()
    host: str | None = None
    language: str | None = None
    platform: str | None = None

    @classmethod
    def of(
        cls,
        text: str,
        title: str | None = None,
        author_handle: str | None = None,
        author_name: str | None = None,
        url: str | None = None,
        language: str | None = None,
        platform: str | None = None,
    ) -> QueryDoc:
        body = fold(text or "")
        found, tagged = _split(body), "#" in body
        if title:
            head = fold(title)
            found, tagged = _split(head) + [_BREAK] + found, tagged or "#" in head
        keys = set(found)
        if tagged:
            keys.update([w[1:] for w in found if w[0] == "#"])
        author = set()
        if author_handle:
            handle = _PLAIN.findall(fold(author_handle))
            if handle:
                keys.add("@" + handle[0])
                author.update((handle[0], " ".join(handle)))
        if author_name:
            author.add(_plain(author_name))
        return cls(
            words=tuple(found),
            keys=frozenset(keys),
            author=frozenset(author),
            host=_host(url),
            language=language.lower().replace("_", "-") if language else None,
            platform=platform.lower() if platform else None,
        )

    @classmethod
    def from_mention(cls, mention: Mention) -> QueryDoc:
        return cls.of(
            mention.text,
            title=mention.title,
            author_handle=mention.author.handle,
            author_name=mention.author.name,
            url=mention.url,
            language=mention.language,
            platform=mention.platform,
        )

    @_lazy
    def positions(self) -> dict[str, list[int]]:
        """Word -> its positions in ``words``; a hashtag is filed with and without ``#``."""
        index: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            index.setdefault(word, []).append(i)
            if word[0] == "#":
                index.setdefault(word[1:], []).append(i)
        return index

    @_lazy
    def _sorted_keys(self) -> list[str]:
        return sorted(self.keys)

    def keys_with_prefix(self, prefix: str) -> list[str]:
        keys = self._sorted_keys
        i = bisect_left(keys, prefix)
        found = []
        while i < len(keys) and keys[i].startswith(prefix):
            found.append(keys[i])
            i += 1
        return found

    def has_prefix(self, prefix: str) -> bool:
        keys = self._sorted_keys
        i = bisect_left(keys, prefix)
        return i < len(keys) and keys[i].startswith(prefix)


_URL_HOST = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^@/?#]*@)?([^:/?#\[\]]+)")


def _host(url: str | None) -> str | None:
    if not url:
        return None
    # The common shapes by regex (urlsplit costs ~10 us a mention); the rest by urlsplit.
    simple = _URL_HOST.match(url if "//" in url else "//" + url)
    if simple and "[" not in url:
        return simple.group(1).lower().rstrip(".") or None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:  # e.g. a broken IPv6 literal
        return None
    return host.rstrip(".") if host else None


# -- Errors ---------------------------------------------------------------------------


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed: ``reason``, ``position`` (0-based) and a caret line."""

    def __init__(self, reason: str, query: str, position: int, brand: str | None = None):
        self.reason, self.query, self.position, self.brand = reason, query, position, brand
        shown = re.sub(r"\s", " ", query)  # a tab or newline would shift the caret
        where = f"brand {brand!r}: " if brand else ""
        super().__init__(f"{where}{reason} at position {position}\n  {shown}\n  {' ' * position}^")

    def __reduce__(self):
        return type(self), (self.reason, self.query, self.position, self.brand)


# -- The AST: str() gives the canonical, fully parenthesised query --------------------


@dataclass(frozen=True)
class Term:
    word: str  # folded: "aurora", "#aurora" or "@aurora"
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return self.word


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Prefix:
    prefix: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return self.prefix + "*"


@dataclass(frozen=True)
class Field:
    name: str
    value: str  # normalised as the document side is
    prefix: bool = False  # author:caff*
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        value = self.value + ("*" if self.prefix else "")
        return f"{self.name}:" + (value if re.fullmatch(r'[^\s()"“”]+', value) else f'"{value}"')


@dataclass(frozen=True)
class Not:
    item: Node
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"NOT {self.item}"


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"({self.left} NEAR/{self.distance} {self.right})"


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.items)) + ")"


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.items)) + ")"


Node = Union[Term, Phrase, Prefix, Field, Not, Near, And, Or]


# -- Lexer: operators, parentheses and ready-made leaves ------------------------------

_QUOTES = '"“”'
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_NEAR = re.compile(r"NEAR/([0-9]+)")
_LANG = re.compile(r"[a-z]{2,3}(-[a-z0-9]+)*")
_HOST = re.compile(r"[\w-]+(\.[\w-]+)*")


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "NEAR" or "LEAF"
    text: str
    pos: int
    value: object = None  # NEAR: the distance; LEAF: the node


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, end = 0, len(query)
    while i < end:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            tokens.append(_Token(c, c, i))
            i += 1
            continue
        if c in _QUOTES:
            inner, j = _quoted(query, i)
            tokens.append(_Token("LEAF", query[i:j], i, _phrase(inner, query, i)))
        else:
            j = i
            while j < end and not query[j].isspace() and query[j] not in "()" and query[j] not in _QUOTES:
                j += 1
            token, j = _word(query, i, j)
            tokens.append(token)
        i = j
    return tokens


def _quoted(query: str, start: int) -> tuple[str, int]:
    """The text inside the quotes opening at ``start``, and the position after them."""
    for j in range(start + 1, len(query)):
        if query[j] in _QUOTES:
            return query[start + 1 : j], j + 1
    raise QuerySyntaxError("unclosed quote", query, start)


def _word(query: str, start: int, end: int) -> tuple[_Token, int]:
    """An operator, a field or a term running from ``start`` to ``end`` (a field's quoted value may go on)."""
    text = query[start:end]
    if text in ("AND", "OR", "NOT"):
        return _Token(text, text, start), end
    if text == "NEAR" or text.startswith("NEAR/"):
        near = _NEAR.fullmatch(text)
        if near is None:
            raise QuerySyntaxError("NEAR needs a distance in words, like NEAR/3", query, start)
        return _Token("NEAR", text, start, int(near[1])), end
    named = _FIELD.fullmatch(text)
    if named is None:
        return _Token("LEAF", text, start, _term(text, query, start)), end
    name, value = named[1].lower(), named[2]
    if name not in FIELDS:
        raise QuerySyntaxError(
            f'unknown field {named[1]}: (known: author, site, lang, platform; or quote it: "{text}")',
            query,
            start,
        )
    if not value and end < len(query) and query[end] in _QUOTES:
        value, end = _quoted(query, end)
    elif not value:
        raise QuerySyntaxError(f"expected a value after {named[1]}:", query, start)
    return _Token("LEAF", query[start:end], start, _field(name, value, query, start)), end


def _term(text: str, query: str, pos: int) -> Node:
    if re.match(r"-[\w#@]", text):
        raise QuerySyntaxError("a leading - does not exclude: use NOT", query, pos)
    star = text.find("*")
    if star == -1:
        return _words_node(words(text), f"{text!r} has no letters or digits to search for", query, pos)
    if star != len(text) - 1:
        raise QuerySyntaxError("a wildcard * may only end a term, like caff*", query, pos + star)
    found = words(text[:-1])
    if len(found) != 1:
        raise QuerySyntaxError("a wildcard needs one word before the *, like caff*", query, pos)
    return Prefix(found[0], pos)


def _phrase(inner: str, query: str, pos: int) -> Node:
    if "*" in inner:
        raise QuerySyntaxError("a wildcard * does not work inside quotes", query, pos + 1 + inner.index("*"))
    return _words_node(words(inner), "empty phrase", query, pos)


def _words_node(found: list[str], empty: str, query: str, pos: int) -> Node:
    if not found:
        raise QuerySyntaxError(empty, query, pos)
    return Term(found[0], pos) if len(found) == 1 else Phrase(tuple(found), pos)


def _field(name: str, value: str, query: str, pos: int) -> Field:
    prefix = name == "author" and value.endswith("*")
    if prefix:
        value = value[:-1]
    if "*" in value:
        what = "may only end an author: value" if name == "author" else f"does not work in {name}:"
        raise QuerySyntaxError(f"a wildcard * {what}", query, pos)
    if name == "author":
        value = _plain(value)
        if not value:
            raise QuerySyntaxError("author: needs a handle or a name", query, pos)
    elif name == "site":
        value = value.lower()
        if not _HOST.fullmatch(value):
            raise QuerySyntaxError("site: takes a host name, like example.com", query, pos)
    elif name == "lang":
        value = value.lower().replace("_", "-")
        if not _LANG.fullmatch(value):
            raise QuerySyntaxError("lang: takes a language code, like it or en", query, pos)
    else:
        value = value.lower()
        if value not in PLATFORMS:
            raise QuerySyntaxError(f"platform: is one of {', '.join(PLATFORMS)}", query, pos)
    return Field(name, value, prefix, pos)


# -- Parser: recursive descent, one method per precedence level ----------------------


def _positional(node: Node) -> bool:
    """Whether ``node`` matches at places in the text, as NEAR needs."""
    if isinstance(node, (Term, Phrase, Prefix, Near)):
        return True
    return isinstance(node, Or) and all(_positional(item) for item in node.items)


def _flat(kind: type[And] | type[Or], items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat), items[0].pos)


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.tokens = _lex(query)
        self.i = 0
        self.depth = 0

    def fail(self, reason: str, pos: int) -> NoReturn:
        raise QuerySyntaxError(reason, self.query, pos)

    def next_is(self, *kinds: str) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i].kind in kinds

    def take(self) -> _Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested more than {MAX_DEPTH} levels deep", pos)

    def parse(self) -> Node:
        if not self.tokens:
            self.fail("empty query", 0)
        node = self.or_()
        if self.i < len(self.tokens):  # only a ')' stops the loops early
            self.fail("unmatched ')'", self.tokens[self.i].pos)
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.next_is("OR"):
            self.take()
            items.append(self.and_())
        return _flat(Or, items)

    def and_(self) -> Node:
        items = [self.near()]
        while self.next_is("AND", "NOT", "(", "LEAF"):  # no AND: implicit AND
            if self.next_is("AND"):
                self.take()
            items.append(self.near())
        return _flat(And, items)

    def near(self) -> Node:
        node, chain = self.unary(), 0
        while self.next_is("NEAR"):
            op = self.take()
            self.check_near_side(node, op, "left")
            chain += 1
            self.enter(op.pos)
            right = self.unary()
            self.check_near_side(right, op, "right")
            node = Near(node, right, op.value, node.pos)  # type: ignore[arg-type]
        self.depth -= chain
        return node

    def check_near_side(self, node: Node, op: _Token, side: str) -> None:
        if not _positional(node):
            what = {Not: "a NOT", And: "an AND", Or: "an OR of more than words"}.get(type(node), "a field")
            reason = f"the {side} side of {op.text} is {what} (NEAR takes words, phrases, wildcards, ORs of them)"
            self.fail(reason, node.pos)

    def unary(self) -> Node:
        if not self.next_is("NOT"):
            return self.primary()
        op = self.take()
        self.enter(op.pos)
        node = Not(self.unary(), op.pos)
        self.depth -= 1
        return node

    def primary(self) -> Node:
        if self.next_is("LEAF"):
            return self.take().value  # type: ignore[return-value]
        if self.next_is("("):
            opening = self.take()
            self.enter(opening.pos)
            node = self.or_()
            if not self.next_is(")"):
                self.fail("unclosed parenthesis", opening.pos)
            self.take()
            self.depth -= 1
            return replace(node, pos=opening.pos) if isinstance(node, (And, Or)) else node
        # No term where one must be: blame the operator that wanted one, or the one that lacks one.
        token = self.tokens[self.i] if self.i < len(self.tokens) else None
        before = self.tokens[self.i - 1] if self.i > 0 else None
        if before is not None and before.kind != "(":
            self.fail(f"expected a term after {before.text}", before.pos)
        if token is None:  # the query ends right after a "("
            self.fail("unclosed parenthesis", before.pos if before else 0)
        if token.kind != ")":
            self.fail(f"{token.text} needs a term before it", token.pos)
        self.fail("empty parentheses" if before else "unmatched ')'", before.pos if before else token.pos)


# -- Compiler: the AST becomes closures over a QueryDoc -------------------------------

Predicate = Callable[[QueryDoc], bool]
Spans = Callable[[QueryDoc], list[tuple[int, int]]]  # first and last word of each match


def _compile(node: Node) -> Predicate:
    if isinstance(node, Term):
        word = node.word
        return lambda doc: word in doc.keys
    if isinstance(node, Prefix):
        prefix = node.prefix
        return lambda doc: doc.has_prefix(prefix)
    if isinstance(node, Phrase):
        needed, phrase = frozenset(node.words), _spans(node)
        return lambda doc: needed <= doc.keys and bool(phrase(doc))
    if isinstance(node, Near):
        left, right, near = _compile(node.left), _compile(node.right), _near(node, first_only=True)
        return lambda doc: left(doc) and right(doc) and near(doc)  # type: ignore[return-value]
    if isinstance(node, Not):
        item = _compile(node.item)
        return lambda doc: not item(doc)
    if isinstance(node, Field):
        return _compile_field(node)
    return _compile_group(node)


_COST = {Field: 0, Prefix: 1, Not: 2, And: 2, Or: 2, Phrase: 3, Near: 4}  # cheap checks first


def _compile_group(node: And | Or) -> Predicate:
    # The group's plain terms become one set operation; the other items run after it,
    # cheapest first (evaluation has no side effects, so the order is free to choose).
    terms = frozenset(item.word for item in node.items if isinstance(item, Term))
    others = sorted((item for item in node.items if not isinstance(item, Term)), key=lambda item: _COST[type(item)])
    rest = tuple(_compile(item) for item in others)
    if isinstance(node, And):
        if not rest:
            return lambda doc: terms <= doc.keys

        def all_of(doc: QueryDoc) -> bool:
            if not terms <= doc.keys:
                return False
            for item in rest:
                if not item(doc):
                    return False
            return True

        return all_of
    if not rest:
        return lambda doc: not terms.isdisjoint(doc.keys)

    def any_of(doc: QueryDoc) -> bool:
        if not terms.isdisjoint(doc.keys):
            return True
        for item in rest:
            if item(doc):
                return True
        return False

    return any_of


def _compile_field(node: Field) -> Predicate:
    value = node.value
    if node.name == "author":
        if node.prefix:
            return lambda doc: any(name.startswith(value) for name in doc.author)
        return lambda doc: value in doc.author
    if node.name == "site":
        below = "." + value
        return lambda doc: doc.host is not None and (doc.host == value or doc.host.endswith(below))
    if node.name == "lang":
        region = value + "-"
        return lambda doc: doc.language is not None and (doc.language == value or doc.language.startswith(region))
    return lambda doc: doc.platform == value


def _spans(node: Node) -> Spans:
    if isinstance(node, Term):
        word = node.word
        return lambda doc: [(i, i) for i in doc.positions.get(word, ())]
    if isinstance(node, Prefix):
        prefix = node.prefix
        return lambda doc: [(i, i) for key in doc.keys_with_prefix(prefix) for i in doc.positions.get(key, ())]
    if isinstance(node, Phrase):
        first, rest, last = node.words[0], tuple(enumerate(node.words[1:], 1)), len(node.words) - 1

        def phrase(doc: QueryDoc) -> list[tuple[int, int]]:
            at = doc.positions
            return [(i, i + last) for i in at.get(first, ()) if all(i + k in at.get(w, ()) for k, w in rest)]

        return phrase
    if isinstance(node, Or):
        terms = tuple(item.word for item in node.items if isinstance(item, Term))
        parts = tuple(_spans(item) for item in node.items if not isinstance(item, Term))
        return lambda doc: [(i, i) for w in terms for i in doc.positions.get(w, ())] + [
            span for part in parts for span in part(doc)
        ]
    assert isinstance(node, Near)
    return _near(node, first_only=False)  # type: ignore[return-value]


def _near(node: Near, first_only: bool) -> Callable[[QueryDoc], object]:
    """Spans where ``node`` matches, or (``first_only``) just whether there is one."""
    left, right, distance = _spans(node.left), _spans(node.right), node.distance

    def near(doc: QueryDoc) -> object:
        found = set()
        rights = right(doc)
        for a0, a1 in left(doc):
            for b0, b1 in rights:
                if b0 > a1:
                    gap = b0 - a1 - 1
                elif a0 > b1:
                    gap = a0 - b1 - 1
                else:
                    continue  # overlapping: a word is not near itself
                if gap <= distance:
                    if first_only:
                        return True
                    found.add((min(a0, b0), max(a1, b1)))
        return False if first_only else list(found)

    return near


# -- Public API -----------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed and compiled query; ``str(query)`` is its canonical, fully parenthesised form."""

    source: str
    ast: Node
    predicate: Predicate = field(repr=False, compare=False)

    def matches(self, doc: QueryDoc) -> bool:
        return self.predicate(doc)

    def __str__(self) -> str:
        return str(self.ast)


def parse(query: str) -> Query:
    """Parse and compile ``query``; raise :class:`QuerySyntaxError` saying what and where."""
    ast = _Parser(query).parse()
    return Query(query, ast, _compile(ast))


class BrandMatcher:
    """The configured brands' queries, compiled once; ``match`` names the brands a mention is about."""

    def __init__(self, brands: Iterable[Brand]):
        queries = []
        for brand in brands:
            if not brand.query.strip():
                continue  # no query, no match (a connector's own brand hint may still apply)
            try:
                queries.append((brand.name, parse(brand.query)))
            except QuerySyntaxError as err:
                raise QuerySyntaxError(err.reason, err.query, err.position, brand=brand.name) from None
        self.queries: tuple[tuple[str, Query], ...] = tuple(queries)
        self._predicates = tuple((name, query.predicate) for name, query in queries)

    def match(self, doc: QueryDoc) -> list[str]:
        """Names of the brands whose query matches, in configuration order."""
        return [name for name, matches in self._predicates if matches(doc)]
