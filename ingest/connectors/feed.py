"""RSS, Atom, RDF and JSON Feed documents: a site's posts and, where offered, their comments.

``source.url`` is the feed URL; ``source.query`` is not used (a feed is read whole and
enrichment decides which brand an entry is about). Each run fetches the feed with a
conditional GET (the ETag and Last-Modified of the last complete run); a 304 yields nothing.
Each entry becomes a mention: ``native_id`` is the entry id (RSS guid, Atom id), else its
link, else a hash of title and date; text is the content, else the summary, cleaned.

Comments: an entry with ``wfw:commentRss`` (or an Atom ``link rel="replies"``) has a comment
feed. It is read when the entry is new or its count (``slash:comments``, ``thr:total``)
changed; without a count, once. Each comment is a mention whose ``thread_id`` is the post
and whose ``parent_id`` is the post, or the comment named by ``thr:in-reply-to`` (RFC 4685).
An entry of the main feed with ``thr:in-reply-to`` (a site-wide comment feed) answers, and
is threaded under, the item it names.

Problems: a document that is not a feed, or is broken beyond recovery, is one problem; a
broken one whose entries were recovered gives the mentions and a problem saying what was
wrong; an entry that cannot be a mention is a problem naming it. A document's problems are
reported once, not again on every poll while the document stays the same.

Options:
    max_comment_feeds: comment feeds read per run at most (default 20; 0 disables them).
    own_authors: author names, e-mails or URIs that are the brand's own, besides the
        brands' ``own_accounts["feed"]``; their entries get ``author_is_brand``.
    remember: entry ids the cursor keeps to recognise what it already emitted (default
        500; never fewer than the feed document holds).
    max_items: mentions per run at most.

Cursor: ``{"feed": box, "threads": {post short id: box + {"n": comment count read}}}``,
where a box is ``{"url", "etag", "last_modified", "seen": [short ids], "reported":
[problem fingerprints]}`` for one feed URL. Short ids are the first 16 hex digits of mention
ids; ``seen`` keeps the ids of the document's entries and older ones up to ``remember``.
Validators are stored only when a run finished everything the document asked for, so a run
cut short (``max_items``, comment feeds left for later) fetches the whole feed next time and
the seen ids skip what was already emitted.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import io
import json
import re
import xml.sax
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from core.schema import Author, Engagement, Mention, utc_now
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, HttpProblem

SAMPLE_BYTES = 500
_LANGUAGE = re.compile(r"([a-zA-Z]{2})(?:[-_]|$)")
_ENTRY_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.IGNORECASE)
_JSON_CONTENT = (("content_html", "text/html"), ("content_text", "text/plain"))
_FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/rdf+xml", "text/xml", "application/xml")


class _Unusable(ValueError):
    """An entry with nothing a mention could be made of."""


@dataclass
class _Read:
    """One entry read (its mention, or None) with the problems found on the way."""

    mention: Mention | None
    problems: list[Problem] = field(default_factory=list)
    entry: dict = field(default_factory=dict)


@dataclass
class _Doc:
    """What reading one document gave: its entries, and whether all of them are out."""

    reads: list[_Read] = field(default_factory=list)
    fetched: bool = False
    complete: bool = False


class FeedConnector(Connector):
    kind = "feed"

    def parse(self, body: bytes, *, url: str | None = None,
              headers: dict | None = None) -> list[Mention | Problem]:
        """The mentions and problems of one feed document, without HTTP (comment feeds not followed)."""
        out: list[Mention | Problem] = []
        for read in self._parse(body, url, headers):
            out.extend([read.mention] if read.mention else [])
            out.extend(read.problems)
        return out

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        if not self.source.url:
            yield Problem("feed source needs url (the feed's address)")
            return
        self._left, self._pending = self.max_items, False
        state = _copy(cursor)
        box = state.setdefault("feed", {})
        if box.get("url") != self.source.url:  # a new address: its validators are not ours
            box.update(url=self.source.url)
            _forget_validators(box)
        doc = _Doc()
        async for item in self._feed(box, doc):
            yield item
        if not doc.fetched:  # 304: nothing new, comment feeds included (counts live in the document)
            yield Checkpoint(state)
            return
        # The validators wait until the comment feeds are read too: a 304 would hide what is left.
        validators = {k: box.pop(k) for k in ("etag", "last_modified") if k in box}
        in_doc = {_short(r.mention.id) for r in doc.reads if r.mention}
        # Threads of posts no longer in the feed are not followed again: forget them.
        state["threads"] = {k: v for k, v in (state.get("threads") or {}).items() if k in in_doc}
        yield Checkpoint(_copy(state))
        seen = set(box["seen"])
        posts = [r for r in doc.reads if r.mention and _short(r.mention.id) in seen]
        async for item in self._follow_all(posts, state):
            yield item
        if not self._pending:
            box.update(validators)
        yield Checkpoint(_copy(state))

    async def _feed(self, box: dict, doc: _Doc, post: Mention | None = None) -> AsyncIterator[Item]:
        """One document: conditional GET; its problems (once each) and the entries not in
        ``box["seen"]``, oldest first, within budget. Updates the box's seen ids, reported
        problems, and validators (only when every entry is out)."""
        # A comment feed's address comes from the feed's content: not trusted as configured.
        found_at = self.source.url if post is not None else None
        response = await self.http.get(box["url"], etag=box.get("etag"), last_modified=box.get("last_modified"),
                                       found_at=found_at)
        if response.not_modified:
            return
        doc.fetched = True
        doc.reads = await asyncio.to_thread(self._parse, response.body, response.url, response.headers, post)
        reported, seen, emitted = set(box.get("reported") or []), list(box.get("seen") or []), set()
        known = set(seen)
        problems = [p for r in doc.reads if r.mention is None for p in r.problems]
        for problem in problems:
            if _fingerprint(problem) not in reported:  # a feed polled without validators repeats its faults
                yield problem
        fresh = sorted((r for r in doc.reads if r.mention and _short(r.mention.id) not in known),
                       key=lambda r: r.mention.published_at)
        for read in fresh:
            key = _short(read.mention.id)
            if key in emitted:
                continue  # the same id twice in one document
            if self._left <= 0:
                break  # the rest waits for the next run, which fetches the document again
            self._left -= 1
            emitted.add(key)
            yield read.mention
            for problem in read.problems:
                yield problem
        in_doc = list(dict.fromkeys(_short(r.mention.id) for r in doc.reads if r.mention))
        done = [key for key in in_doc if key in emitted or key in known]
        keep = max(int(self.context.option("remember", 500)), len(in_doc))
        box.update(seen=_bounded(done + [key for key in seen if key not in in_doc], keep),
                   reported=[_fingerprint(p) for p in problems][:100])
        _forget_validators(box)
        if len(done) < len(in_doc):
            self._pending = True
        else:
            box.update(_validators(response.headers))
            doc.complete = True

    async def _follow_all(self, posts: list[_Read], state: Cursor) -> AsyncIterator[Item]:
        """Read the comment feeds of posts that are new or whose comment count changed."""
        allowed = int(self.context.option("max_comment_feeds", 20))
        if allowed <= 0:
            return  # comments disabled: nothing is left for later
        threads: dict[str, dict] = state["threads"]
        for post in posts:
            link, count = _comment_feed(post.entry, post.mention.url), _count(post.entry)
            key = _short(post.mention.id)
            thread = threads.get(key)
            if not link or (thread and thread.get("url") == link and "n" in thread and thread["n"] == count):
                continue
            if not thread or thread.get("url") != link:
                thread = threads[key] = {"url": link}  # no "n" until it has been read
            if count == 0:
                thread["n"] = 0  # no comments yet: nothing to fetch
                continue
            if allowed <= 0 or self._left <= 0:
                self._pending = True  # left for the next run, which fetches the feed again
                return
            allowed -= 1
            doc = _Doc()
            try:
                async for item in self._feed(thread, doc, post.mention):
                    yield item
            except AuthError:
                raise
            except HttpProblem as err:
                # One unreachable comment feed should not stop the others; it is tried again next run.
                self._pending = True
                yield Problem(f"comment feed of {post.mention.url or post.mention.native_id}: {err}", "", link)
                continue
            if doc.complete or not doc.fetched:
                thread["n"] = count
            yield Checkpoint(_copy(state))

    def _parse(self, body: bytes, url: str | None, headers: Any, post: Mention | None = None) -> list[_Read]:
        """Read one document; never raises (feedparser is lenient, yet one body must not stop a worker)."""
        try:
            doc = _document(body, url, headers)
        except Exception as err:  # noqa: BLE001 - see the docstring
            return [_Read(None, [Problem(f"feed not readable: {_describe(err)}", _sample(body), url)])]
        if isinstance(doc, Problem):
            return [_Read(None, [doc])]
        # Plain dicts: FeedParserDict maps missing keys to others ("updated" to "published") with a warning.
        feed = dict(doc["feed"])
        reads = [self._read(dict(entry), feed, index, post, url) for index, entry in enumerate(doc["entries"])]
        if post is None:
            _rethread(reads)
        if doc.get("bozo"):
            # Entries recovered from a faulty document: keep them, and say what was wrong.
            reason = f"feed read despite errors ({len(reads)} entries recovered): {_describe(doc.get('bozo_exception'))}"
            reads.insert(0, _Read(None, [Problem(reason, _sample(body), url)]))
        return reads

    def _read(self, entry: dict, feed: dict, index: int, post: Mention | None, url: str | None) -> _Read:
        name, sample = f"entry #{index + 1} ({_label(entry)})", _entry_sample(entry)
        try:
            mention, notes = self._mention(entry, feed, post)
        except _Unusable as err:
            return _Read(None, [Problem(f"{name}: {err}", sample, url)], entry)
        except Exception as err:  # noqa: BLE001 - one bad entry becomes a problem; the rest flows
            return _Read(None, [Problem(f"{name}: {_describe(err)}", sample, url)], entry)
        return _Read(mention, [Problem(f"{name}: {note}", sample, mention.url or url) for note in notes], entry)

    def _mention(self, entry: dict, feed: dict, post: Mention | None) -> tuple[Mention, list[str]]:
        # The plain values: feedparser 6.0 may leave a nested element's text in the details.
        title = self._text({**(entry.get("title_detail") or {}), "value": entry.get("title")})
        summary = {**(entry.get("summary_detail") or {}), "value": entry.get("summary")}
        text = next((t for t in map(self._text, [*(entry.get("content") or []), summary]) if t), "")
        link = _link(entry)
        published, note = _published(entry, feed)
        author, owner = self._author(entry, feed, comment=post is not None)
        parent = thread = None
        ref = _reply_ref(entry)
        if post is not None:
            thread = post.thread_id
            parent = post.id if not ref or ref in (post.native_id, post.url) else self.mention_id(ref)
        elif ref:
            # A site-wide comment feed: what it answers is the best root known (see _rethread).
            parent = thread = self.mention_id(ref)
        mention = Mention(
            platform="feed", native_id=_native_id(entry, title, link, text), source=self.source.name, url=link,
            thread_id=thread or "", parent_id=parent, author=author, author_is_brand=owner is not None,
            brand=owner or self.source.brand, title=title or None, text=text,
            language=_language(entry, feed) or (post.language if post else None), published_at=published,
            engagement=Engagement(replies=_count(entry) or 0),
        )
        return mention, [note] if note else []

    def _text(self, detail: dict | None) -> str:
        """Clean text of a feedparser text construct: HTML is stripped, plain text kept as written."""
        if not detail or not isinstance(detail.get("value"), str):
            return ""
        kind = str(detail.get("type") or "text/html")
        if kind.startswith("text/") and "html" not in kind:
            return self.clean(html.escape(detail["value"], quote=False))  # "<" in plain text is a character
        return self.clean(detail["value"])  # HTML, XHTML, or base64 content feedparser decoded

    def _author(self, entry: dict, feed: dict, comment: bool) -> tuple[Author, str | None]:
        detail = entry.get("author_detail") or feed.get("author_detail") or {}
        name = self.clean(detail.get("name") or entry.get("author")) or None
        email, href = detail.get("email"), _http(detail.get("href"))
        owner = self.context.brand_of(name, email, href)
        own_authors = self.context.option("own_authors") or []
        own = {str(a).strip().lower() for a in ([own_authors] if isinstance(own_authors, str) else own_authors)}
        if owner is None and own & {str(a).strip().lower() for a in (name, email, href) if a}:
            owner = self.source.brand or ""
        if href or name or comment:
            return Author(id=href or name or "anonymous", name=name), owner
        # A post without any author: the site speaks (its home page and title stand for it).
        # E-mails only match brands: they are not kept as ids.
        site = self.clean(feed.get("title")) or None
        return Author(id=_http(feed.get("link")) or site or "unknown", name=site), owner


def _rethread(reads: list[_Read]) -> None:
    """In a site-wide comment feed, a reply to a comment of the same document joins that comment's thread."""
    parents = {r.mention.id: r.mention.parent_id for r in reads if r.mention}
    for read in reads:
        if read.mention and read.mention.parent_id in parents:
            root, hops = read.mention.parent_id, 0
            while parents.get(root) and hops < 100:  # hops: a cycle of replies must not hang a worker
                root, hops = parents[root], hops + 1
            read.mention = read.mention.model_copy(update={"thread_id": root})


def _document(body: bytes, url: str | None, headers: Any) -> dict | Problem:
    """feedparser's reading of ``body`` (or a JSON Feed mapped alike), or why it is not a feed."""
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return Problem("empty body: not a feed", "", url)
    if head[:1] in (b"{", b"["):
        return _json_feed(body, url)
    wanted = {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}
    base = url if url and urlsplit(url).scheme in ("http", "https") else None
    if base:  # feedparser resolves relative links against Content-Location (itself relative to the URL)
        wanted["content-location"] = urljoin(base, wanted.get("content-location", ""))
        # Headers without a Content-Type make feedparser assume ISO-8859-1 and flag the
        # document; a generic XML type keeps its defaults (XML declaration, else UTF-8).
        wanted.setdefault("content-type", "application/xml")
    # A file object: given bytes or str, feedparser may treat them as a path or URL to open.
    doc = feedparser.parse(io.BytesIO(body), response_headers=wanted)
    if doc.entries:
        return doc
    reason = _describe(doc.get("bozo_exception")) if doc.get("bozo") else ""
    if not doc.get("version"):
        why = "not a feed (no RSS, Atom or RDF channel)" + (f": {reason}" if reason else "")
        return Problem(why, _sample(body), url)
    if reason:
        return Problem(f"malformed feed, no entries recovered: {reason}", _sample(body), url)
    if _ENTRY_TAG.search(body):
        return Problem("the feed has item/entry elements but none could be read", _sample(body), url)
    return doc  # a well-formed feed with no entries: nothing to report


def _json_feed(body: bytes, url: str | None) -> dict | Problem:
    """A JSON Feed (jsonfeed.org 1.0/1.1) as feedparser-shaped entries; other JSON is a Problem."""
    try:
        data = json.loads(body)
    except ValueError as err:
        return Problem(f"not a feed: JSON-like body that does not parse ({err})", _sample(body), url)
    if not (isinstance(data, dict) and str(data.get("version", "")).startswith("https://jsonfeed.org/version/")
            and isinstance(data.get("items"), list)):
        return Problem("not a feed: JSON without JSON Feed's version and items", _sample(body), url)
    feed = {"title": data.get("title"), "link": data.get("home_page_url"), "language": data.get("language"),
            "author_detail": _json_author(data)}
    return {"feed": feed, "entries": [_json_entry(item, url) for item in data["items"]]}


def _json_entry(item: Any, url: str | None) -> dict:
    if not isinstance(item, dict):
        return {"title": repr(item)[:80]}  # becomes a problem: no id, no link
    strings = {k: v for k, v in item.items() if isinstance(v, str)}
    entry: dict[str, Any] = {
        "id": str(item["id"]) if isinstance(item.get("id"), (str, int)) else None,
        "link": urljoin(url or "", strings["url"]) if "url" in strings else None,
        "title": strings.get("title"), "title_detail": {"type": "text/plain"},
        "summary": strings.get("summary"), "summary_detail": {"type": "text/plain"},
        "content": [{"type": kind, "value": strings[key]} for key, kind in _JSON_CONTENT if key in strings],
        "author_detail": _json_author(item), "language": strings.get("language"),
    }
    for key, name in (("date_published", "published"), ("date_modified", "updated")):
        if key in strings:
            entry[name], entry[f"{name}_parsed"] = strings[key], _iso(strings[key])
    return entry


def _json_author(data: dict) -> dict | None:
    authors = data.get("authors") if isinstance(data.get("authors"), list) else [data.get("author")]
    first = next((a for a in authors if isinstance(a, dict)), None)
    return {"name": first.get("name"), "href": first.get("url")} if first else None


def _iso(value: str) -> Any:
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).timetuple()


def _published(entry: dict, feed: dict) -> tuple[datetime, str | None]:
    """The entry's date; else (saying so when a date was there but unreadable) the feed's, else now."""
    for key in ("published", "updated", "created"):
        when = _from_struct(entry.get(f"{key}_parsed"))
        if when:
            return when, None
    raw = entry.get("published") or entry.get("updated") or entry.get("created")
    # No usable entry date: the feed's own date is the closest statement of when it was
    # written; failing that, the fetch time, so the mention still sorts near its discovery.
    fallback = _from_struct(feed.get("updated_parsed")) or _from_struct(feed.get("published_parsed"))
    used = "the feed date" if fallback else "the fetch time"
    note = f"date {str(raw)[:60]!r} not understood, used {used}" if raw else None
    return fallback or utc_now(), note


def _from_struct(value: Any) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=timezone.utc) if value else None  # feedparser gives UTC
    except (TypeError, ValueError, OverflowError):
        return None


def _native_id(entry: dict, title: str, link: str | None, text: str) -> str:
    for candidate in (entry.get("id"), link, entry.get("link")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    date = str(entry.get("published") or entry.get("updated") or "")
    if not (title or date or text):
        raise _Unusable("no id, link, title, date or text")
    # Text only when there is nothing else, so an edited body keeps the entry's identity.
    seed = f"{title}\n{date}" + ("" if title or date else f"\n{text}")
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def _language(entry: dict, feed: dict) -> str | None:
    # The body's language first: it is what enrichment reads.
    details = [*(entry.get("content") or []), entry.get("summary_detail"), entry.get("title_detail")]
    for value in [entry.get("language"), *(d.get("language") for d in details if d), feed.get("language")]:
        match = _LANGUAGE.match(str(value or "").strip())
        if match:
            return match.group(1).lower()
    return None


def _count(entry: dict) -> int | None:
    for key in ("slash_comments", "thr_total"):
        value = str(entry.get(key) or "").strip()
        if value.isdigit():
            return int(value)
    return None


def _comment_feed(entry: dict, base: str | None) -> str | None:
    found = entry.get("wfw_commentrss")
    for link in entry.get("links") or []:
        if not found and link.get("rel") == "replies" and link.get("type") in _FEED_TYPES:
            found = link.get("href")
    return _http(urljoin(base or "", found.strip())) if isinstance(found, str) and found.strip() else None


def _link(entry: dict) -> str | None:
    """The alternate link (feedparser 6.0 may pick another rel when the first has no href)."""
    alternates = [link.get("href") for link in entry.get("links") or [] if link.get("rel") == "alternate"]
    return next(filter(None, map(_http, alternates)), None) or _http(entry.get("link"))


def _reply_ref(entry: dict) -> str | None:
    answers = entry.get("thr_in-reply-to")
    ref = answers.get("ref") if isinstance(answers, dict) else None
    return ref.strip() if isinstance(ref, str) and ref.strip() else None


def _fingerprint(problem: Problem) -> str:
    return hashlib.sha256(problem.reason.encode()).hexdigest()[:12]


def _forget_validators(box: dict) -> None:
    for name in ("etag", "last_modified"):
        box.pop(name, None)


def _validators(headers: Any) -> dict[str, str]:
    lower = {str(k).lower(): v for k, v in dict(headers).items()}
    found = {"etag": lower.get("etag"), "last_modified": lower.get("last-modified")}
    return {k: v for k, v in found.items() if v}


def _http(value: Any) -> str | None:
    web = isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https")
    return value.strip() if web else None


def _describe(err: Any) -> str:
    """One line saying what went wrong: "not well-formed XML (SAXParseException): mismatched tag at line 5"."""
    if isinstance(err, xml.sax.SAXParseException):
        return f"not well-formed XML ({type(err).__name__}): {err.getMessage()} at line {err.getLineNumber()}"
    message = " ".join(str(err or "").split())[:300]
    return f"{type(err).__name__}: {message}" if message else type(err).__name__


def _label(entry: dict) -> str:
    for key in ("id", "link", "title"):
        if isinstance(entry.get(key), str) and entry[key].strip():
            return " ".join(entry[key].split())[:80]
    return "no id, link or title"


def _entry_sample(entry: dict) -> str:
    fields = {k: entry.get(k) for k in ("id", "link", "title", "published", "updated") if entry.get(k)}
    return json.dumps(fields, ensure_ascii=False, default=str)[:SAMPLE_BYTES]


def _sample(body: bytes) -> str:
    return body[:SAMPLE_BYTES].decode("utf-8", "replace")


def _short(mention_id: str) -> str:
    return mention_id[:16]


def _bounded(keys: list[str], keep: int) -> list[str]:
    return list(dict.fromkeys(keys))[:keep]



def _copy(cursor: Cursor) -> Cursor:
    return json.loads(json.dumps(cursor))
