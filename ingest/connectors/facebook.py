"""Facebook Page comments through the Graph API: the page's recent posts and the comments on them.

A page's audience speaks in the comments under its posts, so this connector reads
``GET /{page-id}/posts`` (the ``max_posts`` most recent) and, for each, ``GET /{post-id}/comments``
with ``filter=stream`` (every comment, replies included, flat, each naming its ``parent``) in
``order=chronological``, paging by ``paging.cursors.after`` until ``paging.next`` is absent.

Threading: a post is a thread root (a mention by the page); a comment's ``thread_id`` is its
post and its ``parent_id`` the comment it answers (``parent.id``) or else the post. A comment
by the page itself (``from.id`` == ``page_id``) is a brand reply (``author_is_brand``), as is
one by any of the brand's own ``facebook`` accounts.

The token (``PASSAPAROLA_SECRETS__FACEBOOK_TOKEN``, a page access token: user comments carry
``from`` only for it) travels in the ``Authorization`` header, never in a URL; ``paging.next``
URLs embed it, so they are never followed, only their cursor is used. Failures are told from
the Graph API's error object (``code``, ``error_subcode``, ``type``, ``message``) whatever the
HTTP status: an expired or invalid token (code 190) or a missing permission is an ``AuthError``
naming the secret; a token error's message is left out (it may quote the token).

Options:
    page_id: the page's id (required).
    api_version: Graph API version (default ``v19.0``); ``source.url`` is the host
        (default ``https://graph.facebook.com``).
    max_posts: how many recent posts are scanned for new comments each run (default 25).
    max_items: mentions per run (default: ingest ``max_items_per_run``).

Cursor: ``posts_since`` (the newest post emitted) and, per post still in the scanned window,
``after`` (the paging cursor after the last complete page of its comments, so the next run
reads only what came after) with ``time``/``ids`` (the newest comment emitted and the ids at
that second), which keep a re-read page (after a stop at ``max_items``) from repeating.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from core.schema import Author, Engagement, Mention
from core.settings import ConfigError
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, HttpProblem

API = "https://graph.facebook.com"
AUTH_HINT = "PASSAPAROLA_SECRETS__FACEBOOK_TOKEN"
POST_FIELDS = ("id,message,created_time,from,permalink_url,shares,"
               "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)")
COMMENT_FIELDS = "id,message,created_time,from,parent,comment_count,like_count,permalink_url"
# Graph API error codes ("Handling Errors") for an expired, invalid or revoked token, and for a missing permission.
TOKEN_CODES, PERMISSION_CODES = (102, 190), (10, *range(200, 300))


class FacebookConnector(Connector):
    kind = "facebook"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        self.page_id = str(self.context.option("page_id") or "")
        if not self.page_id:
            raise ConfigError(f"source {self.source.name!r}: a facebook source needs option page_id")
        token = self.context.secrets.facebook_token
        if token is None:
            raise AuthError(f"{self.source.name}: no Facebook token (set {AUTH_HINT})")
        self._token = token.get_secret_value()
        self._headers = {"Authorization": f"Bearer {self._token}"}
        self._base = f"{(self.source.url or API).rstrip('/')}/{self.context.option('api_version', 'v19.0')}"
        self._emitted = 0
        posts = await self._posts()
        if posts is None:
            yield Problem("Facebook: the posts answer has no data list", url=f"{self._base}/{self.page_id}/posts")
            return
        state = {"posts_since": cursor.get("posts_since"), "posts": {}}
        known = cursor.get("posts") if isinstance(cursor.get("posts"), dict) else {}
        for post, _ in posts:  # only posts still in the window: the cursor stays small
            if post["id"] in known:
                state["posts"][post["id"]] = known[post["id"]]
        async for item in self._new_posts(posts, state):
            yield item
        since = _time(state["posts_since"]) if state["posts_since"] else None
        for post, created in posts:
            if since is None or created > since or self._emitted >= self.max_items:
                break  # comments of a post not yet emitted wait for the post
            async for item in self._comments(post, state):
                yield item

    async def _posts(self) -> list[tuple[dict, datetime]] | None:
        """The recent posts as (post, created time), oldest first; bad ones are reported and left out."""
        url = f"{self._base}/{self.page_id}/posts"
        body = await self._get(url, {"fields": POST_FIELDS, "limit": int(self.context.option("max_posts", 25))})
        if not isinstance(body.get("data"), list):
            return None
        posts, self._bad = [], []
        for post in body["data"]:
            try:
                if not post["id"]:
                    raise ValueError("empty id")
                posts.append((post, _time(post["created_time"])))
            except (KeyError, TypeError, ValueError) as err:
                self._bad.append(Problem(f"Facebook: unusable post ({type(err).__name__}: {err})",
                                         json.dumps(post)[:500], url))
        return sorted(posts, key=lambda pair: pair[1])

    async def _new_posts(self, posts: list[tuple[dict, datetime]], state: dict) -> AsyncIterator[Item]:
        for problem in self._bad:
            yield problem
        since = _time(state["posts_since"]) if state["posts_since"] else None
        for post, created in posts:
            if since is not None and created <= since:
                continue
            if self._emitted >= self.max_items:
                break
            item = self._mention(post, post["id"], None, created)
            self._emitted += isinstance(item, Mention)
            yield item
            state["posts_since"] = post["created_time"]
        yield Checkpoint(_copy(state))

    async def _comments(self, post: dict, state: dict) -> AsyncIterator[Item]:
        post_id = post["id"]
        mine = dict(state["posts"].get(post_id) or {})
        if not mine and ((post.get("comments") or {}).get("summary") or {}).get("total_count") == 0:
            return  # nothing to read: spare the request
        mark = _time(mine["time"]) if mine.get("time") else None
        at_mark = set(mine.get("ids") or [])
        url = f"{self._base}/{post_id}/comments"
        while self._emitted < self.max_items:
            params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological", "limit": 100}
            body = await self._get(url, {**params, **({"after": mine["after"]} if mine.get("after") else {})})
            comments = body.get("data")
            if not isinstance(comments, list):
                yield Problem("Facebook: the comments answer has no data list", json.dumps(body)[:500], url)
                return
            for comment in comments:
                if self._emitted >= self.max_items:  # stop inside the page: it is re-read, filtered by mark
                    yield Checkpoint(_copy(state))
                    return
                created = _comment_time(comment)
                if created is not None and mark is not None and (
                        created < mark or (created == mark and comment.get("id") in at_mark)):
                    continue
                item = self._mention(comment, post_id, comment, created)
                if isinstance(item, Mention):
                    self._emitted += 1
                    at_mark = at_mark | {item.native_id} if item.published_at == mark else {item.native_id}
                    mark = item.published_at
                    mine.update(time=mark.isoformat(), ids=sorted(at_mark))
                    state["posts"][post_id] = dict(mine)
                yield item
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if after:
                mine["after"] = after
            state["posts"][post_id] = dict(mine)
            yield Checkpoint(_copy(state))
            if not paging.get("next") or not comments:
                return

    async def _get(self, url: str, params: dict[str, Any]) -> dict:
        try:
            body = await self.http.get_json(url, params, self._headers, auth_hint=AUTH_HINT)
        except HttpProblem as err:  # without a Graph API error object (a BadBody too) the HTTP error stands
            raise (self._refused(url, err.body, err.status) or err) from None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            raise self._refused(url, body, None)
        return body if isinstance(body, dict) else {}

    def _refused(self, url: str, body: Any, status: int | None) -> HttpProblem | None:
        """The Graph API error object in ``body`` as one line, or None if there is none."""
        try:
            error = (json.loads(body) if isinstance(body, bytes) else body)["error"]
            code, sub, kind = error.get("code"), error.get("error_subcode"), error.get("type")
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        where = f"{url}: HTTP {status}, " if status else f"{url}: "
        head = f"{where}Graph API error {code}{f'/{sub}' if sub else ''} ({kind})"
        if code in TOKEN_CODES:  # its message may quote the token: left out
            return AuthError(f"{head}: the token has expired or is invalid; check {AUTH_HINT}", status)
        said = f"{head}: {str(error.get('message'))[:200].replace(self._token, '***')}"
        return AuthError(f"{said}; check {AUTH_HINT}", status) if code in PERMISSION_CODES else HttpProblem(said, status)

    def _mention(self, item: dict, post_id: str, comment: dict | None, created: datetime | None) -> Item:
        """A post (``comment`` None) or a comment as a mention; a problem if it is malformed."""
        try:
            native = str(item["id"])
            author = item.get("from") or {}
            author_id = str(author.get("id") or "")
            owner = self.context.brand_of(author_id, author.get("name"))
            by_page = author_id == self.page_id
            parent = (comment or {}).get("parent") or {}
            return Mention(
                platform="facebook",
                native_id=native,
                source=self.source.name,
                url=item.get("permalink_url") or f"https://www.facebook.com/{native}",
                thread_id=self.mention_id(post_id),
                parent_id=None if comment is None else self.mention_id(str(parent.get("id") or post_id)),
                author=Author(id=author_id, name=author.get("name")),
                author_is_brand=by_page or owner is not None,
                brand=owner or self.source.brand,
                text=self.clean(item.get("message")),
                published_at=created if created is not None else _time(item["created_time"]),
                engagement=_engagement(item),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            return Problem(f"Facebook: unusable {'comment' if comment else 'post'} ({type(err).__name__}: {err})",
                           json.dumps(item)[:500], f"{self._base}/{post_id}")


def _engagement(item: dict) -> Engagement:
    if "like_count" in item or "comment_count" in item:  # a comment
        return Engagement(likes=int(item.get("like_count") or 0), replies=int(item.get("comment_count") or 0))
    return Engagement(
        likes=int(((item.get("reactions") or {}).get("summary") or {}).get("total_count") or 0),
        shares=int((item.get("shares") or {}).get("count") or 0),
        replies=int(((item.get("comments") or {}).get("summary") or {}).get("total_count") or 0),
    )


def _time(value: Any) -> datetime:
    # Graph times carry an offset without a colon (YYYY-MM-DDTHH:MM:SS+0000): fromisoformat reads it on 3.11+.
    return datetime.fromisoformat(value)


def _comment_time(comment: Any) -> datetime | None:
    try:
        return _time(comment["created_time"])
    except (KeyError, TypeError, ValueError):
        return None  # _mention reports it


def _copy(state: dict) -> Cursor:
    return {"posts_since": state["posts_since"], "posts": {k: dict(v) for k, v in state["posts"].items()}}
