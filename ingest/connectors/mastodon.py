"""Mastodon: hashtag timelines, full-text search and the posts addressing the brand's account.

Endpoints of one instance (``source.url``, default ``https://mastodon.social``), as
docs.joinmastodon.org documents them:

- ``GET /api/v1/timelines/tag/:hashtag`` for each of option ``hashtags`` (public on most
  instances; the token is sent when there is one);
- ``GET /api/v2/search?type=statuses&q=<source.query>``: full-text search, which needs a
  user token (``read:search``) and an instance with full-text search enabled;
- ``GET /api/v1/notifications?types[]=mention`` when option ``mentions`` is true: what
  addresses the token's own account (the brand's), which a search may miss;
- ``GET /api/v1/statuses/:id/context`` to find a reply's thread root (see below).

The token comes from ``PASSAPAROLA_SECRETS__MASTODON_TOKEN`` and travels as a Bearer header.
Timelines page with the ``Link`` header (``rel="next"`` older, ``rel="prev"`` newer), search
with ``offset``; ``min_id`` asks for what is newer than the cursor.

A status becomes a mention: HTML ``content`` cleaned to text, ``spoiler_text`` (the content
warning) as title, favourites/reblogs/replies counts as engagement, ``language`` as hint.
A boost is replaced by the boosted status (the boost adds no words; the original's id
makes repeats collapse). Ids are per instance (a remote status gets a local id on each
server), so the native id is ``<instance host>/<status id>``, and the author id is the full
``user@domain`` address. ``author_is_brand`` when the account (full address, or username
and id of a local account) is one of the brand's ``mastodon`` own accounts.

Threads: ``in_reply_to_id`` is the parent. The thread root is known when the parent was
seen in this run; otherwise ``/context`` is asked once per reply (``ancestors[0]`` is the
root), at most ``max_context_lookups`` times per run. Beyond that, or when the lookup fails
(deleted or private parent), the parent stands for the root: replies deep in one thread may
then get different ``thread_id``s, though each still pairs with its parent by ``parent_id``.

Options:
    hashtags: list of hashtags (without ``#``) whose timelines to read.
    mentions: read the token account's mention notifications (default False).
    max_context_lookups: ``/context`` requests per run for thread roots (default 50).
    max_pages: pages of 40 per timeline per run (default 5); the first run reads this many
        back from the newest and no further.
    max_items: mentions per run (default: ingest ``max_items_per_run``).

Cursor: ``{"tag:<hashtag>": newest status id, "search": newest status id, "mentions":
newest notification id}``; the next run asks ``min_id`` = that id, so only newer items.
Entries are emitted oldest first and the cursor follows them, so a run stopped at
``max_items`` resumes exactly where it stopped. Timelines asked with ``min_id`` return the
page just above it, so the rest waits for the next run; search results are filtered, not
windowed, so more than ``max_pages`` pages of them since the last run is reported as a
problem (a possible gap). A status found by two timelines in one run is emitted once.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from core.schema import Author, Engagement, Mention
from core.settings import ConfigError
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, BadBody, HttpProblem, safe_url
from ingest.reach import same_origin

log = logging.getLogger(__name__)

API = "https://mastodon.social"
AUTH_HINT = "PASSAPAROLA_SECRETS__MASTODON_TOKEN"
PAGE = 40  # the documented maximum for timelines and search
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')


def _id_key(value: str) -> tuple[int, str]:
    # Ids are strings of digits of growing length: compare by length, then text.
    return len(value), value


class MastodonConnector(Connector):
    kind = "mastodon"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        self._base = (self.source.url or API).rstrip("/")
        self._host = urlsplit(self._base).netloc
        token = self.context.secrets.mastodon_token
        self._headers = {"Accept": "application/json"}
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        self._roots: dict[str, str] = {}
        self._lookups = int(self.context.option("max_context_lookups", 50))
        self._emitted = 0
        self._done: set[str] = set()
        state = dict(cursor)
        for key, url, params in self._timelines(token is not None):
            async for item in self._timeline(key, url, params, state):
                yield item
            if self._emitted >= self.max_items:
                return

    def _timelines(self, has_token: bool) -> list[tuple[str, str, dict[str, Any]]]:
        tags = [str(tag).lstrip("#") for tag in self.context.option("hashtags", []) or []]
        timelines = [(f"tag:{tag.lower()}", f"{self._base}/api/v1/timelines/tag/{quote(tag)}", {}) for tag in tags]
        if self.source.query:
            timelines.append(("search", f"{self._base}/api/v2/search",
                              {"q": self.source.query, "type": "statuses", "resolve": "false"}))
        if self.context.option("mentions", False):
            timelines.append(("mentions", f"{self._base}/api/v1/notifications", {"types[]": "mention"}))
        if not timelines:
            raise ConfigError(f"source {self.source.name!r}: a mastodon source needs options.hashtags, "
                              "a query or options.mentions")
        if not has_token and any(key in ("search", "mentions") for key, _, _ in timelines):
            raise AuthError(f"{self.source.name}: Mastodon search and mentions need a user token (set {AUTH_HINT})")
        return timelines

    async def _timeline(self, key: str, url: str, params: dict[str, Any], state: Cursor) -> AsyncIterator[Item]:
        since = state.get(key)
        entries, problems, truncated = await self._collect(key, url, params, since)
        for problem in problems:
            yield problem
        if truncated and since and key == "search":
            yield Problem(f"Mastodon: more than {self._max_pages} pages of search results since the last run; "
                          "older ones may be skipped (raise max_pages or shorten interval_s)", "", url)
        for count, entry in enumerate(sorted(entries, key=lambda e: _id_key(e["id"])), 1):
            item = await self._item(key, entry, url)
            if isinstance(item, Mention):
                self._emitted += 1
            if item is not None:
                yield item
            if since is None or _id_key(entry["id"]) > _id_key(since):
                since = state[key] = entry["id"]
            if self._emitted >= self.max_items:
                break
            if count % PAGE == 0:
                yield Checkpoint(dict(state))
        yield Checkpoint(dict(state))

    @property
    def _max_pages(self) -> int:
        return int(self.context.option("max_pages", 5))

    async def _collect(self, key: str, url: str, params: dict[str, Any],
                       since: str | None) -> tuple[list[dict], list[Problem], bool]:
        """Entries newer than ``since`` (the newest pages on a first run); problems; truncated or not."""
        search = key == "search"
        asked: dict[str, Any] | None = {**params, "limit": PAGE, **({"min_id": since} if since else {})}
        entries: list[dict] = []
        problems: list[Problem] = []
        ids: set[str] = set()
        next_url: str | None = url
        for _ in range(self._max_pages):
            body, links = await self._get(next_url, asked)
            page = body.get("statuses") if search and isinstance(body, dict) else body
            if not isinstance(page, list):
                problems.append(Problem(f"Mastodon: {key} body is not a list of entries", json.dumps(body)[:500], url))
                return entries, problems, False
            for entry in page:
                if isinstance(entry, dict) and isinstance(entry.get("id"), (str, int)) and str(entry["id"]).isdigit():
                    if str(entry["id"]) not in ids:  # overlapping pages: once is enough
                        ids.add(str(entry["id"]))
                        entries.append({**entry, "id": str(entry["id"])})
                else:
                    problems.append(Problem("Mastodon: entry without a usable id", json.dumps(entry)[:500], url))
            if search:  # no Link header on search: offset paging until a short page
                if len(page) < PAGE:
                    return entries, problems, False
                asked = {**asked, "offset": int(asked.get("offset", 0)) + len(page)}
            else:
                next_url = links.get("prev" if since else "next")
                if not page or not next_url:
                    return entries, problems, False
                if not same_origin(next_url, url):  # our token is for this server only
                    problems.append(Problem("Mastodon: next page on another server, not followed", "", safe_url(next_url)))
                    return entries, problems, False
                asked = None  # the Link URL carries every parameter
        return entries, problems, True

    async def _get(self, url: str, params: dict[str, Any] | None) -> tuple[Any, dict[str, str]]:
        response = await self.http.get(url, params, self._headers, auth_hint=AUTH_HINT)
        try:
            body = json.loads(response.body)
        except ValueError as err:
            raise BadBody(f"{safe_url(url)}: not JSON ({err})", response.body, response.status) from None
        link = next((v for k, v in response.headers.items() if k.lower() == "link"), "")
        return body, {rel: target for target, rel in _LINK.findall(link)}

    async def _item(self, key: str, entry: dict, url: str) -> Item | None:
        """The mention for a status (or a mention notification's status), a problem, or None for a repeat."""
        status = entry.get("status") if key == "mentions" else entry
        try:
            if not isinstance(status, dict):
                raise TypeError("no status in the entry")
            status = status.get("reblog") or status  # a boost stands for the boosted status
            if str(status.get("id")) in self._done:  # found by another timeline (or boost) this run
                return None
            self._done.add(str(status.get("id")))
            return await self._mention(status)
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            return Problem(f"Mastodon: unusable status ({type(err).__name__}: {err})", json.dumps(entry)[:500], url)

    async def _mention(self, status: dict) -> Mention:
        status_id = str(status["id"])
        parent = str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None
        published = datetime.fromisoformat(status["created_at"])
        root = await self._root(status_id, parent)
        account = status["account"]
        address = self._address(account)
        local = "@" not in str(account.get("acct", "@"))
        owner = self.context.brand_of(address, *((account.get("username"), str(account.get("id"))) if local else ()))
        followers = account.get("followers_count")
        return Mention(
            platform="mastodon",
            native_id=self._native(status_id),
            source=self.source.name,
            url=status.get("url") or status.get("uri"),
            thread_id=self.mention_id(self._native(root)),
            parent_id=self.mention_id(self._native(parent)) if parent else None,
            author=Author(id=address, handle=address, name=account.get("display_name") or account.get("username"),
                          followers=followers if isinstance(followers, int) and followers >= 0 else None),
            author_is_brand=owner is not None,
            brand=owner or self.source.brand,
            title=self.clean(status.get("spoiler_text")) or None,
            text=self.clean(status.get("content")),
            language=str(status["language"]).split("-")[0].lower() if status.get("language") else None,
            published_at=published,
            engagement=Engagement(likes=int(status.get("favourites_count") or 0),
                                  shares=int(status.get("reblogs_count") or 0),
                                  replies=int(status.get("replies_count") or 0)),
        )

    def _native(self, status_id: str) -> str:
        return f"{self._host}/{status_id}"

    def _address(self, account: dict) -> str:
        acct = str(account["acct"])
        return acct if "@" in acct else f"{acct}@{self._host}"

    async def _root(self, status_id: str, parent: str | None) -> str:
        """The id of the thread's first status: itself, a known parent's root, a lookup, or the parent."""
        if parent is None:
            root = status_id
        else:
            root = self._roots.get(parent)
            if root is None and self._lookups > 0:
                self._lookups -= 1
                root = await self._lookup_root(status_id)
            root = root or parent
        self._roots[status_id] = root
        return root

    async def _lookup_root(self, status_id: str) -> str | None:
        url = f"{self._base}/api/v1/statuses/{status_id}/context"
        try:
            body, _ = await self._get(url, None)
        except AuthError:
            raise
        except HttpProblem as err:  # a deleted or private parent must not end the run
            log.info("thread root unknown", extra={"source": self.source.name, "why": str(err)})
            return None
        ancestors = body.get("ancestors") if isinstance(body, dict) else None
        ids = [str(a["id"]) for a in ancestors or [] if isinstance(a, dict) and a.get("id")]
        for ancestor in ids:
            self._roots[ancestor] = ids[0]
        return ids[0] if ids else None
