"""Disqus: the comments of one forum (a site's comment section), through API 3.0.

Endpoints, under ``source.url`` (default ``https://disqus.com/api/3.0``):

- ``GET forums/listPosts.json?forum=...&order=asc&since=...&limit=...&related=thread``,
  page after page through ``cursor.next`` while ``cursor.hasNext``;
- ``GET threads/list.json?thread=<id>&thread=...`` for the threads a page names only by id
  (``related=thread`` normally embeds them).

Every call carries ``api_key`` (secret ``disqus_api_key``). Disqus errors are a body
``{"code", "response"}``, with HTTP 400 (or another error status, sometimes 200), and are
read whatever the status: an invalid key or missing permission is an
:class:`~ingest.http.AuthError` naming ``PASSAPAROLA_SECRETS__DISQUS_API_KEY``; rate limits
and server errors end the run to be retried; other codes (a bad argument) are a Problem.

Mentions: each thread (the page the comments are on) once, before its first post, then
the posts: ``thread_id`` is the thread's mention id, ``parent_id`` the post answered or the
thread. Native ids: ``threads/<id>``, ``posts/<id>`` (Disqus ids are global). Deleted and
spam posts are not mentions: they yield nothing (the cursor moves past them).

Brand replies: ``brand_of(username, name, id)`` of the author, or the author is listed in
option ``moderators``; with ``own_forum`` the threads are the brand's.

Options:
    forum: the forum's short name (required).
    moderators: usernames or ids answering for ``source.brand``.
    own_forum: true when the site belongs to ``source.brand`` (default false).
    per_page: posts per request, 1-100 (default 100).
    lookback_days: how far back the first run reads (default 7; 0: everything).
    max_items: mentions per run at most.

Cursor: ``{"since": <newest post, epoch s>, "seen": [post ids of its last two seconds],
"threads": [ids of the last threads emitted]}``. The next run asks ``since`` one second
earlier (whether Disqus counts ``since`` in or out, nothing is missed) and skips ``seen``.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from core.schema import Author, Mention
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, BadBody, HttpProblem

API = "https://disqus.com/api/3.0"
HINT = "PASSAPAROLA_SECRETS__DISQUS_API_KEY"
# https://disqus.com/api/docs/errors/: 4 authentication required, 5 invalid API key,
# 9 wrong key type, 11 key not valid on this domain, 12 not enough privileges.
AUTH_CODES = frozenset({4, 5, 9, 11, 12})
# 13/14 rate limits, 15 internal error, 16 timeout: worth another try next interval.
RETRY_CODES = frozenset({13, 14, 15, 16})
KNOWN_THREADS = 500


class _Refused(Exception):
    """A Disqus answer that ends the run as a Problem (not a credentials or transient one)."""


@dataclass(frozen=True)
class _Thread:
    mention_id: str
    link: str | None


class DisqusConnector(Connector):
    kind = "disqus"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        forum = self.context.option("forum")
        if not forum:
            yield Problem("disqus source needs option forum (the forum's short name)")
            return
        key = self.context.secrets.disqus_api_key
        if key is None:
            raise AuthError(f"disqus source {self.source.name}: no API key (set {HINT})")
        self._base = (self.source.url or API).rstrip("/")
        self._key, self._forum = key.get_secret_value(), str(forum)
        self._threads: dict[str, _Thread] = {}
        self._fetched: dict[str, dict] = {}  # threads read by threads/list, emitted at their first post
        self._emitted_threads: list[str] = [str(t) for t in cursor.get("threads") or []]
        progress = _Progress(cursor.get("since"), cursor.get("seen") or [])
        try:
            async for item in self._walk(progress):
                yield item
        except _Refused as err:
            yield Problem(str(err))

    async def _walk(self, progress: _Progress) -> AsyncIterator[Item]:
        params = {"forum": self._forum, "order": "asc", "related": "thread",
                  "limit": max(1, min(100, int(self.context.option("per_page", 100))))}
        since = progress.ask_since(float(self.context.option("lookback_days", 7)))
        if since is not None:
            params["since"] = since
        emitted, page_cursor = 0, None
        while True:
            body = await self._call("forums/listPosts", {**params, **({"cursor": page_cursor} if page_cursor else {})})
            posts = body.get("response")
            if not isinstance(posts, list):
                raise _Refused(f"forums/listPosts: response is not a list of posts: {_sample(body)}")
            await self._load_threads(posts)
            for raw in posts:
                async for item in self._post_items(raw, progress):
                    emitted += isinstance(item, Mention)
                    yield item
                if emitted >= self.max_items:
                    yield self._checkpoint(progress)
                    return
            if progress.top is not None:
                yield self._checkpoint(progress)
            paging = body.get("cursor") or {}
            if not (posts and paging.get("hasNext") and paging.get("next")):
                return
            page_cursor = paging["next"]

    def _checkpoint(self, progress: _Progress) -> Checkpoint:
        return Checkpoint({**progress.cursor(), "threads": self._emitted_threads[-KNOWN_THREADS:]})

    async def _call(self, endpoint: str, params: dict[str, Any]) -> dict:
        """One API call; Disqus's own error codes become the failures the runner knows."""
        url = f"{self._base}/{endpoint}.json"
        try:
            body = await self.http.get_json(url, {**params, "api_key": self._key}, auth_hint=HINT)
        except HttpProblem as err:  # Disqus says why in the body, whatever the status; if not, the HTTP error stands
            try:
                body = None if isinstance(err, BadBody) else json.loads(err.body)
            except ValueError:
                body = None
            if not (isinstance(body, dict) and isinstance(body.get("code"), int) and body["code"]):
                raise
        if not isinstance(body, dict) or not isinstance(body.get("code"), int):
            raise _Refused(f"{endpoint}: not a Disqus API answer: {_sample(body)}")
        code = body["code"]
        if code == 0:
            return body
        said = str(body.get("response"))[:200].replace(self._key, "***")
        message = f"{url}: Disqus error {code}: {said}"
        if code in AUTH_CODES:
            raise AuthError(f"{message} (check {HINT})")
        if code in RETRY_CODES:
            raise HttpProblem(message)
        raise _Refused(message)

    async def _load_threads(self, posts: list) -> None:
        """Threads that a page names only by id, in one ``threads/list`` call."""
        named = {p["thread"] for p in posts if isinstance(p, dict) and isinstance(p.get("thread"), (str, int))}
        wanted = sorted(str(t) for t in named if str(t) not in self._threads and not isinstance(t, bool))
        if not wanted:
            return
        try:
            body = await self._call("threads/list", {"forum": self._forum, "thread": wanted, "limit": 100})
        except _Refused:
            return  # each post of these threads reports its thread as not found
        for thread in body.get("response") or []:
            if isinstance(thread, dict) and thread.get("id") is not None:
                self._fetched[str(thread["id"])] = thread

    async def _post_items(self, raw: Any, progress: _Progress) -> AsyncIterator[Item]:
        try:
            post_id, created = str(raw["id"]), _utc(raw["createdAt"])
        except (KeyError, TypeError, ValueError) as err:
            yield Problem(f"post without a readable id or createdAt: {err}", _sample(raw))
            return
        if post_id in progress.seen:
            return  # read by the previous run (we ask from one second earlier)
        progress.advance(post_id, created)
        if raw.get("isDeleted") or raw.get("isSpam"):
            return  # removed or spam: not something anyone said in public
        thread_raw = raw.get("thread")
        thread_id = thread_raw.get("id") if isinstance(thread_raw, dict) else thread_raw
        if not isinstance(thread_id, (str, int)) or isinstance(thread_id, bool) or thread_id == "":
            yield Problem(f"post {post_id} without a thread id", _sample(raw))
            return
        thread_id = str(thread_id)
        if thread_id not in self._threads:
            async for item in self._thread_items(thread_id, thread_raw if isinstance(thread_raw, dict) else None):
                yield item
        try:
            yield self._post(raw, post_id, created, self._threads[thread_id])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            yield Problem(f"post {post_id} not usable: {err}", _sample(raw))

    async def _thread_items(self, thread_id: str, raw: dict | None) -> AsyncIterator[Item]:
        native = f"threads/{thread_id}"
        self._threads[thread_id] = _Thread(self.mention_id(native), None)
        raw = raw or self._fetched.get(thread_id)
        if raw is None:
            yield Problem(f"thread {thread_id} not found by threads/list; its posts thread under its id")
            return
        try:
            mention = self._thread(raw, native)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            yield Problem(f"thread {thread_id} not usable: {err}", _sample(raw))
            return
        self._threads[thread_id] = _Thread(mention.id, raw.get("link"))
        if thread_id not in self._emitted_threads:
            self._emitted_threads.append(thread_id)
            yield mention

    def _thread(self, raw: dict, native: str) -> Mention:
        author = str(raw.get("author") or "")
        owner = self.context.brand_of(author)
        mine = owner is not None or bool(self.context.option("own_forum", False)) or author in self._moderators()
        return Mention(
            platform=self.kind, native_id=native, source=self.source.name, url=raw.get("link"),
            author=Author(id=author or f"forum:{self._forum}"),
            author_is_brand=mine, brand=owner or self.source.brand,
            title=self.clean(raw.get("clean_title") or raw.get("title")) or None,
            text=self.clean(raw.get("message")),
            published_at=_utc(raw["createdAt"]),
            engagement={"likes": max(0, int(raw.get("likes") or 0)), "replies": max(0, int(raw.get("posts") or 0))},
        )

    def _post(self, raw: dict, post_id: str, created: datetime, thread: _Thread) -> Mention:
        who = raw.get("author") or {}
        user_id, username, name = who.get("id"), who.get("username"), who.get("name")
        owner = self.context.brand_of(username, name, user_id)
        moderator = bool({str(username), str(user_id)} & self._moderators())
        parent = raw.get("parent")
        return Mention(
            platform=self.kind, native_id=f"posts/{post_id}", source=self.source.name,
            url=f"{thread.link}#comment-{post_id}" if thread.link else None,
            thread_id=thread.mention_id,
            parent_id=self.mention_id(f"posts/{parent}") if parent else thread.mention_id,
            author=Author(id=str(user_id) if user_id else f"guest:{name or 'anonymous'}", handle=username, name=name),
            author_is_brand=owner is not None or moderator,
            brand=owner or self.source.brand,
            text=self.clean(raw.get("message") if raw.get("message") is not None else raw["raw_message"]),
            published_at=created,
            engagement={"likes": max(0, int(raw.get("likes") or 0))},
        )

    def _moderators(self) -> set[str]:
        return {str(m) for m in self.context.option("moderators", []) or []}


class _Progress:
    """The newest second read and the post ids of its last two seconds (see the cursor)."""

    def __init__(self, since: Any, seen: list) -> None:
        self.top: int | None = int(since) if isinstance(since, (int, float)) else None
        self.seen: dict[str, int] = {str(s): self.top for s in seen} if self.top is not None else {}

    def ask_since(self, lookback_days: float) -> int | None:
        if self.top is not None:
            return self.top - 1
        return int(time.time() - lookback_days * 86400) if lookback_days > 0 else None

    def advance(self, post_id: str, created: datetime) -> None:
        stamp = int(created.timestamp())
        self.top = stamp if self.top is None else max(self.top, stamp)
        self.seen[post_id] = stamp
        self.seen = {k: v for k, v in self.seen.items() if v >= self.top - 1}

    def cursor(self) -> dict[str, Any]:
        return {"since": self.top, "seen": sorted(self.seen)}


def _utc(value: Any) -> datetime:
    # Disqus dates are UTC without an offset (YYYY-MM-DDTHH:MM:SS).
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _sample(raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("thread"), dict):
        # The embedded thread is long and the same for many posts: keep the post in view.
        raw = {**raw, "thread": raw["thread"].get("id")}
    return json.dumps(raw, ensure_ascii=False, default=str)[:500]
