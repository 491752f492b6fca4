"""Bluesky: full-text post search through the AppView's ``app.bsky.feed.searchPosts``.

``GET /xrpc/app.bsky.feed.searchPosts?q=<source.query>&sort=latest&limit=100&since=&cursor=``
(docs.bsky.app). Unauthenticated search on ``https://public.api.bsky.app`` (the default
``source.url``) is unreliable: it can answer HTTP 403 for long periods
(bluesky-social/atproto#3423, #3891) and serves no further pages without a login
(bsky-docs#296). So, with option ``handle`` and ``PASSAPAROLA_SECRETS__BLUESKY_APP_PASSWORD``
(an app password, never the account password), the connector logs in with
``com.atproto.server.createSession`` on the account's PDS (option ``pds``) and searches
there (the PDS proxies ``app.bsky.*`` to the AppView), paging with ``cursor``. Without them
it reads one page per run from the public host. The access token is kept in memory until
its ``exp`` (login is rate limited per account) and never goes into the cursor.

A post view becomes a mention: ``uri`` (``at://did/app.bsky.feed.post/rkey``) is the native
id; ``record.reply.root.uri`` and ``record.reply.parent.uri`` give ``thread_id`` and
``parent_id``; ``record.text``, ``record.createdAt`` (``published_at``), ``record.langs[0]``
(language hint), like/repost/reply counts; the URL is
``https://bsky.app/profile/<handle>/post/<rkey>`` (the DID when the handle is invalid).
``author_is_brand`` when the author's handle or DID is one of the brand's ``bluesky`` own
accounts. Follower counts are not in search results (``followers`` stays empty).

Options:
    handle: the login handle (or DID/email) for authenticated search.
    pds: the account's PDS (default ``https://bsky.social``); also the search host when
        logged in and ``source.url`` is unset.
    max_pages: pages per run when logged in (default 10).
    page_size: posts per page, 1..100 (default 100).
    max_items: mentions per run (default: ingest ``max_items_per_run``).

Cursor: ``{"since": <sortAt of the newest post emitted>, "seen": [uris at that instant]}``.
``since`` is inclusive and compares the AppView's ``sortAt`` (the earlier of ``createdAt``
and ``indexedAt``), so the posts at that instant are remembered and skipped. Results come
newest first; a run gathers what is newer than ``since`` and emits it oldest first, so a run
stopped at ``max_items`` resumes after the last post emitted. More than ``max_pages`` pages
since the last run (or more than one page without login) leaves a gap: a problem says so.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

from core.schema import Author, Engagement, Mention
from core.settings import ConfigError
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, BadBody

API = "https://public.api.bsky.app"
PDS = "https://bsky.social"
AUTH_HINT = "PASSAPAROLA_SECRETS__BLUESKY_APP_PASSWORD"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
LOGIN = "/xrpc/com.atproto.server.createSession"
PAGE = 100
# (pds, handle) -> (accessJwt, expiry epoch s): one login per token lifetime, per process.
_SESSIONS: dict[tuple[str, str], tuple[str, float]] = {}


def _time(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _expiry(jwt: str) -> float:
    # Read (not verify) the token's own exp claim; if unreadable, assume a short life.
    try:
        payload = jwt.split(".")[1]
        return float(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return time.time() + 900


class BlueskyConnector(Connector):
    kind = "bluesky"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        if not self.source.query:
            raise ConfigError(f"source {self.source.name!r}: a bluesky source needs a query")
        session = await self._login()
        base = (self.source.url or (self._pds if session else API)).rstrip("/")
        headers = {"Authorization": f"Bearer {_SESSIONS[session][0]}"} if session else {}
        since = cursor.get("since")
        try:
            found, problems, truncated = await self._collect(base + SEARCH, headers, since, set(cursor.get("seen", [])),
                                                             logged_in=session is not None)
        except AuthError:
            _SESSIONS.pop(session, None)  # the token was rejected: log in afresh next run
            raise
        for problem in problems:
            yield problem
        if truncated and since:
            holds = "max_pages" if session else "one page"
            yield Problem(f"Bluesky: more posts since the last run than {holds} holds; older ones are skipped "
                          "(log in, raise max_pages or shorten interval_s)", "", base + SEARCH)
        state = dict(cursor)
        for count, (sort_at, mention) in enumerate(sorted(found, key=lambda f: f[0]), 1):
            yield mention
            stamp = _stamp(sort_at)
            seen = state.get("seen", []) if state.get("since") == stamp else []
            state.update(since=stamp, seen=[*seen, mention.native_id])
            if count >= self.max_items:
                break
            if count % PAGE == 0:
                yield Checkpoint(dict(state))
        yield Checkpoint(dict(state))

    @property
    def _pds(self) -> str:
        return str(self.context.option("pds", PDS)).rstrip("/")

    async def _collect(self, url: str, headers: dict[str, str], since: str | None, seen: set[str],
                       logged_in: bool) -> tuple[list[tuple[datetime, Mention]], list[Problem], bool]:
        """Posts newer than the cursor, problems, and whether pages were left unread."""
        size = max(1, min(PAGE, int(self.context.option("page_size", PAGE))))
        params: dict[str, Any] = {"q": self.source.query, "sort": "latest", "limit": size}
        if since:
            params["since"] = since
        floor = _time(since) if since else None
        found: list[tuple[datetime, Mention]] = []
        problems: list[Problem] = []
        pages = int(self.context.option("max_pages", 10)) if logged_in else 1
        for _ in range(pages):
            body = await self.http.get_json(url, params, headers, auth_hint=AUTH_HINT)
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                problems.append(Problem("Bluesky: body is not a page of posts", json.dumps(body)[:500], url))
                return found, problems, False
            for post in posts:
                try:
                    sort_at, mention = self._mention(post)
                except (AttributeError, KeyError, TypeError, ValueError) as err:
                    problems.append(Problem(f"Bluesky: unusable post ({type(err).__name__}: {err})",
                                            json.dumps(post)[:500], url))
                    continue
                if mention.native_id in seen:  # at the cursor's instant (inclusive since), or on an earlier page
                    continue
                if floor is None or sort_at >= floor:
                    seen.add(mention.native_id)
                    found.append((sort_at, mention))
            if len(posts) < size or not body.get("cursor"):  # a short page is the last one
                return found, problems, False
            params = {**params, "cursor": body["cursor"]}
        return found, problems, True

    def _mention(self, post: dict) -> tuple[datetime, Mention]:
        uri = str(post["uri"])
        if not uri.startswith("at://") or uri.count("/") != 4:
            raise ValueError(f"not a post uri: {uri!r}")
        record, author = post["record"], post["author"]
        created = _time(record["createdAt"])
        sort_at = min(created, _time(post["indexedAt"])) if post.get("indexedAt") else created
        sort_at = sort_at.replace(microsecond=sort_at.microsecond // 1000 * 1000)  # the cursor keeps milliseconds
        reply = record.get("reply") or {}
        root, parent = (reply.get("root") or {}).get("uri"), (reply.get("parent") or {}).get("uri")
        did, handle = str(author["did"]), author.get("handle")
        owner = self.context.brand_of(handle, did)
        profile = handle if handle and handle != "handle.invalid" else did
        langs = record.get("langs") or []
        language = str(langs[0]).split("-")[0].lower() if langs else None
        return sort_at, Mention(
            platform="bluesky",
            native_id=uri,
            source=self.source.name,
            url=f"https://bsky.app/profile/{profile}/post/{uri.rsplit('/', 1)[1]}",
            thread_id=self.mention_id(root) if root else "",
            parent_id=self.mention_id(parent) if parent else None,
            author=Author(id=did, handle=handle, name=author.get("displayName") or None),
            author_is_brand=owner is not None,
            brand=owner or self.source.brand,
            text=self.clean(record.get("text")),
            language=language if language and len(language) == 2 else None,
            published_at=created,
            engagement=Engagement(likes=int(post.get("likeCount") or 0), shares=int(post.get("repostCount") or 0),
                                  replies=int(post.get("replyCount") or 0)),
        )

    async def _login(self) -> tuple[str, str] | None:
        """The session key for the configured account (logging in when needed), or None for public search."""
        handle, password = self.context.option("handle"), self.context.secrets.bluesky_app_password
        if not handle and password is None:
            return None
        if not handle or password is None:
            raise AuthError(f"{self.source.name}: Bluesky login needs both option handle and {AUTH_HINT}")
        key = (self._pds, str(handle).lower())
        if key in _SESSIONS and _SESSIONS[key][1] > time.time() + 60:
            return key
        login = {"identifier": handle, "password": password.get_secret_value()}
        body = await self.http.post(self._pds + LOGIN, json_body=login, auth_hint=f"option handle and {AUTH_HINT}")
        token = body.get("accessJwt") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise BadBody(f"{self._pds}{LOGIN}: no accessJwt in the answer")
        _SESSIONS[key] = (token, _expiry(token))
        return key
