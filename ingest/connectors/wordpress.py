"""WordPress: the comments of a blog (REST API ``wp/v2``) and the posts they answer.

Endpoints, under ``<source.url>/wp-json/wp/v2`` (or option ``rest_base``):

- ``GET /comments?orderby=date_gmt&order=asc&after=...&page=N&per_page=...`` (optionally
  ``post=<ids>``), read page by page up to the ``X-WP-TotalPages`` header;
- ``GET /posts/<id>?_embed=author`` (``/pages/<id>`` when the id is a page), once per post
  and run, for its author: the post is emitted as a mention too, before its first comment.

Threading: a comment's ``thread_id`` is its post's mention id; its ``parent_id`` is the
comment it answers (``parent`` > 0) or the post. Native ids carry the site (host, port,
path) so two blogs never collide: ``<site>/posts/<id>``, ``<site>/comments/<id>``.

Brand replies: a comment is the brand's when ``brand_of(author_name, "<site>/users/<id>")``
names a brand, or when its author is the author of a post that is the brand's (the post
author is found by ``brand_of(slug, name, "<site>/users/<id>")``, or every post is the
brand's with ``own_site``).

Options:
    posts: list of post ids; only their comments are read (default: the whole site).
    per_page: comments per request, 1-100 (default 100).
    own_site: true when the blog belongs to ``source.brand``: its posts and their
        authors' comments are the brand's (default false).
    rest_base: the REST root when it is not ``<url>/wp-json/wp/v2``.
    user: account for basic auth with an application password (secret
        ``wordpress_app_password``); without it the public API is read.
    lookback_days: how far back the first run reads (default 7; 0: everything).
    max_items: mentions per run at most.

Cursor: ``{"after": <newest comment's date, site time>, "seen": [ids of that second],
"posts": [ids of the last posts emitted]}`` (so a post is emitted once, not every run).
WordPress compares ``after`` with the comment's local date, strictly and to the second, so
the next run asks from one second earlier and skips the ids already seen.
Limitation: a comment approved long after it was written keeps its date; if that is
older than the cursor, it is not read.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from core.schema import Author, Mention
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import BadBody, HttpProblem, Response, safe_url

HINT = "PASSAPAROLA_SECRETS__WORDPRESS_APP_PASSWORD"
_GONE = frozenset({401, 403, 404, 410})
KNOWN_POSTS = 500  # posts remembered in the cursor as emitted; older ones may be emitted again


@dataclass(frozen=True)
class _Post:
    """What a comment needs from its post."""

    mention_id: str
    author: int
    brand_owned: bool
    brand: str | None


class WordPressConnector(Connector):
    kind = "wordpress"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        if not (self.source.url or self.context.option("rest_base")):
            yield Problem("wordpress source needs url (the site, e.g. https://blog.example.it)")
            return
        base = str(self.context.option("rest_base") or f"{self.source.url.rstrip('/')}/wp-json/wp/v2").rstrip("/")
        self._site = _site(self.source.url or base)
        self._posts: dict[int, _Post] = {}
        # Posts emitted by earlier runs: fetched again for their author, not emitted again.
        self._emitted_posts: list[int] = [int(p) for p in cursor.get("posts") or []]
        self._after: str | None = cursor.get("after")
        self._seen: set[int] = set(cursor.get("seen") or [])
        self._emitted, params, page = 0, self._params(self._after), 1
        while True:
            query = {**params, "page": page}
            response = await self.http.get(f"{base}/comments", query, self._headers(), auth_hint=HINT)
            comments = _json(response)
            if not isinstance(comments, list):
                yield Problem("comments: not a list", response.body[:500].decode("utf-8", "replace"), response.url)
                return
            async for item in self._read_page(comments, base, response.url):
                yield item
            if self._after is not None:
                yield self._checkpoint()
            if self._emitted >= self.max_items or not comments:
                return
            if page >= _total_pages(response, page, len(comments), params["per_page"]):
                return
            page += 1

    async def _read_page(self, comments: list, base: str, url: str) -> AsyncIterator[Item]:
        for raw in comments:
            if self._emitted >= self.max_items:
                return  # the checkpoint after this page resumes at the next comment
            local = _local_date(raw)
            if local is None:
                yield Problem("comment without a readable id or date", _sample(raw), url)
                continue
            key = int(raw["id"])
            if local == self._after and key in self._seen:
                continue  # read by the previous run (we ask from one second earlier)
            async for item in self._comment_items(raw, base):
                self._emitted += isinstance(item, Mention)
                yield item
            self._after, self._seen = _advance(self._after, self._seen, local, key)

    def _checkpoint(self) -> Checkpoint:
        posts = self._emitted_posts[-KNOWN_POSTS:]
        return Checkpoint({"after": self._after, "seen": sorted(self._seen), "posts": posts})

    def _params(self, after: str | None) -> dict[str, Any]:
        per_page = max(1, min(100, int(self.context.option("per_page", 100))))
        params: dict[str, Any] = {"orderby": "date_gmt", "order": "asc", "per_page": per_page}
        # A cursor we cannot read counts as none: the lookback, not the whole history.
        lookback = float(self.context.option("lookback_days", 7))
        since = (_second_before(after) if after else None) or _lookback(lookback)
        if since:
            params["after"] = since
        posts = self.context.option("posts")
        if posts:
            params["post"] = ",".join(str(int(p)) for p in posts)
        return params

    def _headers(self) -> dict[str, str]:
        user, secret = self.context.option("user"), self.context.secrets.wordpress_app_password
        if not (user and secret):
            return {}
        token = base64.b64encode(f"{user}:{secret.get_secret_value()}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    async def _comment_items(self, raw: dict, base: str) -> AsyncIterator[Item]:
        """The comment's post (the first time it is met this run), then the comment."""
        try:
            post_id = int(raw["post"])
        except (KeyError, TypeError, ValueError):
            yield Problem("comment without a post id", _sample(raw), raw.get("link"))
            return
        if post_id not in self._posts:
            async for item in self._load_post(post_id, base):
                yield item
        try:
            yield self._comment(raw, self._posts[post_id])
        except (KeyError, TypeError, ValueError) as err:
            yield Problem(f"comment not usable: {err}", _sample(raw), raw.get("link"))

    async def _load_post(self, post_id: int, base: str) -> AsyncIterator[Item]:
        native = f"{self._site}/posts/{post_id}"
        # Until we know better (or if we never do), comments still thread under the post's id.
        self._posts[post_id] = _Post(self.mention_id(native), 0, False, None)
        raw = await self._fetch_post(post_id, base)
        if raw is None:
            yield Problem(f"post {post_id} not readable (private, deleted or gone)", url=native)
            return
        try:
            mention, info = self._post(raw, native)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            yield Problem(f"post {post_id} not usable: {err}", _sample(raw), native)
            return
        self._posts[post_id] = info
        if post_id not in self._emitted_posts:
            self._emitted_posts.append(post_id)
            yield mention

    async def _fetch_post(self, post_id: int, base: str) -> Any:
        """The post (or page: comments point to both alike) as JSON; None when it is gone."""
        for kind in ("posts", "pages"):
            try:
                response = await self.http.get(f"{base}/{kind}/{post_id}", {"_embed": "author"}, self._headers(),
                                               auth_hint=HINT)
            except HttpProblem as err:
                # Private, deleted or not a post: try a page, then report. Anything else
                # (the API down, rate limited for too long) ends the run, to be retried.
                if err.status not in _GONE:
                    raise
                continue
            return _json(response)
        return None

    def _post(self, raw: dict, native: str) -> tuple[Mention, _Post]:
        author = int(raw.get("author") or 0)
        embedded = (raw.get("_embedded") or {}).get("author") or [{}]
        who = embedded[0] if isinstance(embedded[0], dict) else {}
        account = f"{self._site}/users/{author}"
        owner = self.context.brand_of(who.get("slug"), who.get("name"), account)
        own_site = bool(self.context.option("own_site", False))
        brand = owner or (self.source.brand if own_site else None)
        mention = Mention(
            platform=self.kind,
            native_id=native,
            source=self.source.name,
            url=raw.get("link"),
            author=Author(id=account, handle=who.get("slug"), name=who.get("name")),
            author_is_brand=owner is not None or own_site,
            brand=brand or self.source.brand,
            title=self.clean((raw.get("title") or {}).get("rendered")) or None,
            text=self.clean((raw.get("content") or {}).get("rendered")),
            published_at=_gmt(raw["date_gmt"]),
        )
        return mention, _Post(mention.id, author, owner is not None or own_site, brand)

    def _comment(self, raw: dict, post: _Post) -> Mention:
        native = f"{self._site}/comments/{int(raw['id'])}"
        user, name = int(raw.get("author") or 0), raw.get("author_name") or None
        account = f"{self._site}/users/{user}" if user else None
        owner = self.context.brand_of(name, account)
        by_post_author = post.brand_owned and user != 0 and user == post.author
        parent = int(raw.get("parent") or 0)
        return Mention(
            platform=self.kind,
            native_id=native,
            source=self.source.name,
            url=raw.get("link"),
            thread_id=post.mention_id,
            parent_id=self.mention_id(f"{self._site}/comments/{parent}") if parent else post.mention_id,
            author=Author(id=account or f"{self._site}/guests/{name or 'anonymous'}", name=name),
            author_is_brand=owner is not None or by_post_author,
            brand=owner or (post.brand if by_post_author else None) or self.source.brand,
            text=self.clean(raw["content"]["rendered"]),
            published_at=_gmt(raw["date_gmt"]),
        )


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}".removesuffix("/wp-json/wp/v2")


def _json(response: Response) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as err:
        where = safe_url(response.url)  # never the query nor user info: they may hold a token
        raise BadBody(f"{where}: not JSON ({err})", response.body[:2000], response.status) from None


def _total_pages(response: Response, page: int, got: int, per_page: int) -> int:
    header = {k.lower(): v for k, v in response.headers.items()}.get("x-wp-totalpages", "")
    if header.strip().isdigit():
        return int(header)
    return page + 1 if got >= per_page else page  # no header: a full page may have a next one


def _advance(after: str | None, seen: set[int], local: str, key: int) -> tuple[str | None, set[int]]:
    """The cursor once comment ``key`` of ``local`` time is read: newest second, ids in it."""
    if local == after:
        return after, seen | {key}
    if after is None or local > after:
        return local, {key}
    return after, seen  # an older one (daylight saving can reorder site times): no step back


def _local_date(raw: Any) -> str | None:
    """The comment's site-time date, normalised, when it has an int id and a valid date."""
    try:
        if not isinstance(raw, dict) or isinstance(raw.get("id"), bool):
            return None
        int(raw["id"])
        return datetime.fromisoformat(str(raw["date"])).replace(tzinfo=None).isoformat(timespec="seconds")
    except (KeyError, TypeError, ValueError):
        return None


def _gmt(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _second_before(local: str) -> str | None:
    try:
        return (datetime.fromisoformat(local) - timedelta(seconds=1)).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return None


def _lookback(days: float) -> str | None:
    if days <= 0:
        return None
    # The first run has no site time to go by: UTC with its offset, which WordPress converts.
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


def _sample(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False, default=str)[:500]
