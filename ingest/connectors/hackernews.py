"""Hacker News: stories and comments matching a query, through the Algolia HN Search API.

Endpoint: ``GET <source.url>/search_by_date`` (default ``https://hn.algolia.com/api/v1``)
with ``query`` (``source.query``, required), ``tags`` (default ``(story,comment)``),
``numericFilters=created_at_i>=<from>[,created_at_i<=<to>]``, ``page`` and ``hitsPerPage``,
read up to ``nbPages``. No credentials.

Mentions: a story has its title, its text (``story_text``) or else its link (``url``),
likes = points and replies = num_comments; a comment has its ``comment_text``,
``thread_id`` = the story's mention id and ``parent_id`` = the item it answers (the native
id is the HN item id, so a story and its comments pair whichever query found them). The
url is the item's page on news.ycombinator.com. ``author_is_brand``: ``brand_of(author)``.

Results come newest first, so a run walks a window downwards: the cursor keeps the lower
bound everything is read above and, while a walk is unfinished (``max_items`` reached),
how far down it got; the next run finishes that walk before starting a newer one.
Algolia serves at most about 1,000 hits per query: when more match, the window is narrowed
below what was read and the walk goes on.

Options:
    tags: Algolia tags filter (default ``(story,comment)``).
    per_page: hits per request, 1-1000 (default 100).
    lookback_days: how far back the first run reads (default 7; 0: everything).
    max_items: mentions per run at most.

Cursor: ``{"from": <epoch s>, "seen": [ids at that second]}``, plus while a walk is
unfinished ``"walk": {"top", "top_seen", "down_to", "down_seen"}``.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

from core.schema import Author, Mention
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem

API = "https://hn.algolia.com/api/v1"
ITEM = "https://news.ycombinator.com/item?id={}"


class _Window:
    """How far the reading got: a lower bound done, and the walk down from the newest."""

    def __init__(self, cursor: Cursor, lookback_days: float) -> None:
        default = int(time.time() - lookback_days * 86400) if lookback_days > 0 else None
        self.low: int | None = cursor.get("from", default)
        self.low_seen = set(cursor.get("seen") or [])
        walk = cursor.get("walk") or {}
        self.top: int | None = walk.get("top")
        self.top_seen = set(walk.get("top_seen") or [])
        self.down: int | None = walk.get("down_to")
        self.down_seen = set(walk.get("down_seen") or [])

    def filters(self) -> str:
        parts = [f"created_at_i>={self.low}"] if self.low is not None else []
        if self.down is not None:
            parts.append(f"created_at_i<={self.down}")
        return ",".join(parts)

    def done(self, object_id: str, stamp: int) -> bool:
        if stamp == self.low and object_id in self.low_seen:
            return True
        return stamp == self.down and object_id in self.down_seen

    def read(self, object_id: str, stamp: int) -> None:
        if self.top is None or stamp > self.top:
            self.top, self.top_seen = stamp, {object_id}
        elif stamp == self.top:
            self.top_seen.add(object_id)
        if self.down is None or stamp < self.down:
            self.down, self.down_seen = stamp, {object_id}
        elif stamp == self.down:
            self.down_seen.add(object_id)

    def finish(self) -> None:
        """The walk reached the lower bound: what it started from is the next lower bound."""
        if self.top is not None:
            self.low, self.low_seen = self.top, set(self.top_seen)
        self.top, self.top_seen, self.down, self.down_seen = None, set(), None, set()

    def cursor(self) -> Cursor:
        cursor: Cursor = {"from": self.low, "seen": sorted(self.low_seen)}
        if self.top is not None:
            cursor["walk"] = {"top": self.top, "top_seen": sorted(self.top_seen),
                              "down_to": self.down, "down_seen": sorted(self.down_seen)}
        return cursor


class HackerNewsConnector(Connector):
    kind = "hackernews"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        if not self.source.query:
            yield Problem("hackernews source needs query (Algolia search terms)")
            return
        window = _Window(cursor, float(self.context.option("lookback_days", 7)))
        self._read: set[str] = set()  # pages shift when items arrive mid-walk: no repeats
        self._emitted, self._stopped, self._cut = 0, False, False
        while True:
            before = len(self._read)
            async for item in self._round(window):
                yield item
            if self._stopped:
                return
            if not self._cut or len(self._read) == before:
                break  # done, or narrowing would not get further
        window.finish()
        yield Checkpoint(window.cursor())

    async def _round(self, window: _Window) -> AsyncIterator[Item]:
        """One window read page by page up to ``nbPages``.

        Sets ``_stopped`` (max_items reached, or a body without hits) and ``_cut`` (more
        hits match than Algolia pages through: the next round narrows the window).
        """
        per_page = max(1, min(1000, int(self.context.option("per_page", 100))))
        url = f"{(self.source.url or API).rstrip('/')}/search_by_date"
        # Fixed for the round: narrowing it between pages would shift what a page holds.
        params = {"query": self.source.query, "tags": self.context.option("tags", "(story,comment)"),
                  "hitsPerPage": per_page}
        if window.filters():
            params["numericFilters"] = window.filters()
        page = 0
        while True:
            body = await self.http.get_json(url, {**params, "page": page})
            hits = body.get("hits") if isinstance(body, dict) else None
            if not isinstance(hits, list):
                self._stopped = True
                yield Problem("search_by_date: no hits list", _sample(body), url)
                return
            for hit in hits:
                async for item in self._hit(hit, window):
                    self._emitted += isinstance(item, Mention)
                    yield item
                if self._emitted >= self.max_items:
                    self._stopped = True
                    yield Checkpoint(window.cursor())
                    return
            yield Checkpoint(window.cursor())
            page += 1
            pages = int(body.get("nbPages") or 0)
            if not hits or page >= pages:
                self._cut = int(body.get("nbHits") or 0) > pages * per_page
                return

    async def _hit(self, hit: Any, window: _Window) -> AsyncIterator[Item]:
        try:
            object_id, stamp = str(hit["objectID"]), int(hit["created_at_i"])
        except (KeyError, TypeError, ValueError) as err:
            yield Problem(f"hit without a readable objectID or created_at_i: {err}", _sample(hit))
            return
        if object_id in self._read or window.done(object_id, stamp):
            return
        self._read.add(object_id)
        window.read(object_id, stamp)
        try:
            yield self._mention(hit, object_id, stamp)
        except (KeyError, TypeError, ValueError) as err:
            yield Problem(f"item {object_id} not usable: {err}", _sample(hit), ITEM.format(object_id))

    def _mention(self, hit: dict, object_id: str, stamp: int) -> Mention:
        author = str(hit["author"])
        owner = self.context.brand_of(author)
        common = dict(
            platform=self.kind, native_id=object_id, source=self.source.name, url=ITEM.format(object_id),
            author=Author(id=author, handle=author), author_is_brand=owner is not None,
            brand=owner or self.source.brand, published_at=datetime.fromtimestamp(stamp, timezone.utc),
        )
        if "comment" in (hit.get("_tags") or []) or hit.get("comment_text") is not None:
            if hit.get("story_id") is None or hit.get("parent_id") is None:
                raise ValueError("comment without story_id or parent_id")
            return Mention(
                **common, thread_id=self.mention_id(str(int(hit["story_id"]))),
                parent_id=self.mention_id(str(int(hit["parent_id"]))),
                text=self.clean(hit["comment_text"]),
                engagement={"likes": max(0, int(hit.get("points") or 0))},
            )
        return Mention(
            **common, title=self.clean(hit["title"]) or None,
            text=self.clean(hit.get("story_text")) or str(hit.get("url") or ""),
            engagement={"likes": max(0, int(hit.get("points") or 0)),
                        "replies": max(0, int(hit.get("num_comments") or 0))},
        )


def _sample(raw: Any) -> str:
    if isinstance(raw, dict):
        raw = {k: v for k, v in raw.items() if k != "_highlightResult"}  # a copy of the text, marked up
    return json.dumps(raw, ensure_ascii=False, default=str)[:500]
