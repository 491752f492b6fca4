"""Reddit: new submissions matching the query, and the comments of their threads.

Endpoints (OAuth API, ``source.url`` default ``https://oauth.reddit.com``, ``raw_json=1`` so
text arrives unescaped):

- ``GET /search?q=<source.query>&sort=new&type=link&limit=100&after=`` (or
  ``/r/<subreddit>/search?...&restrict_sr=true`` with option ``subreddit``): a Listing of
  submissions (``t3``), newest first, paged by ``data.after``;
- ``GET /comments/<article>?sort=new&limit=`` for the comment tree (``t1``) of each watched
  thread: the newest ``max_comment_trees`` submissions found, for ``watch_days``, so replies
  that come later (the brand's answers too) are still collected. Reddit's API cannot search
  comments, so comments elsewhere that name the brand are not found.

Credentials: with option ``client_id``, ``PASSAPAROLA_SECRETS__REDDIT_CLIENT_SECRET`` is the
app's secret and the connector gets an application-only token itself (``client_credentials``
grant at option ``token_url``, default ``https://www.reddit.com/api/v1/access_token``; kept
in memory until it expires). Without ``client_id`` the secret is used as a ready bearer
token, which the operator must renew (Reddit's tokens last a day at most).

A submission becomes a mention with its ``title``, ``selftext`` as text (the title when
there is none), score as likes, ``num_comments`` as replies. A comment gets ``thread_id`` =
its ``link_id`` (the submission) and ``parent_id`` = its ``parent_id`` (a comment or the
submission); native ids are Reddit fullnames (``t3_…``, ``t1_…``). ``author_is_brand`` when the
author's name or ``t2_`` id is one of the brand's ``reddit`` own accounts. Reddit gives no
language. Not emitted: comments whose body is ``[deleted]``/``[removed]`` and ``more``
placeholders (children not in the tree; they are counted in the log, not fetched, to keep
the request budget bounded).

Options:
    client_id: the Reddit app's id, to get tokens with ``client_credentials``.
    token_url: where to ask for them.
    subreddit: search only this subreddit.
    max_pages: search pages of 100 per run (default 5).
    max_comment_trees: threads whose comments are read each run (default 20).
    watch_days: how long a thread is watched for new comments (default 3).
    comment_limit: comments asked per tree (default 500).
    max_items: mentions per run (default: ingest ``max_items_per_run``).

Cursor: ``{"utc": newest submission time seen, "seen": [fullnames at that second],
"threads": {"t3_…": [submission time, newest comment time emitted]}}``. A run walks the
search down to ``utc`` and emits what is newer oldest first; comments newer than their
thread's mark are emitted oldest first. A stopped run resumes after the last item emitted.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

from core.schema import Author, Engagement, Mention
from core.settings import ConfigError
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, HttpProblem

log = logging.getLogger(__name__)

API = "https://oauth.reddit.com"
TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
SITE = "https://www.reddit.com"
AUTH_HINT = "PASSAPAROLA_SECRETS__REDDIT_CLIENT_SECRET"
GONE = frozenset({"[deleted]", "[removed]"})
# (token_url, client_id) -> (access token, expiry epoch s), per process.
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}


class RedditConnector(Connector):
    kind = "reddit"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        if not self.source.query:
            raise ConfigError(f"source {self.source.name!r}: a reddit source needs a query")
        self._base = (self.source.url or API).rstrip("/")
        self._headers = {"Authorization": f"bearer {await self._token()}", "Accept": "application/json"}
        self._emitted = 0
        state: Cursor = {**cursor, "threads": dict(cursor.get("threads") or {})}
        posts, problems, truncated = await self._search(state.get("utc"), set(state.get("seen") or []))
        for problem in problems:
            yield problem
        if truncated and state.get("utc") is not None:
            yield Problem("Reddit: more new submissions than max_pages holds; older ones are skipped "
                          "(raise max_pages or shorten interval_s)", "", self._base)
        for utc, post in sorted(posts, key=lambda p: p[0]):
            yield post
            self._emitted += 1
            seen = state.get("seen", []) if state.get("utc") == utc else []
            state.update(utc=utc, seen=[*seen, post.native_id])
            state["threads"][post.native_id] = [utc, utc]
            if self._emitted >= self.max_items:
                break
        state["threads"] = self._watched(state["threads"])
        yield Checkpoint(_copy(state))
        for thread in state["threads"]:
            if self._emitted >= self.max_items:
                return
            async for item in self._tree(thread, state):
                yield item

    def _watched(self, threads: dict[str, list[float]]) -> dict[str, list[float]]:
        """The newest ``max_comment_trees`` threads younger than ``watch_days``, newest first."""
        oldest = time.time() - float(self.context.option("watch_days", 3)) * 86400
        young = sorted(((n, m) for n, m in threads.items() if m[0] >= oldest), key=lambda t: t[1][0], reverse=True)
        return dict(young[: int(self.context.option("max_comment_trees", 20))])

    async def _search(self, utc: float | None,
                      seen: set[str]) -> tuple[list[tuple[float, Mention]], list[Problem], bool]:
        """Submissions newer than the cursor, problems, and whether pages were left unread."""
        subreddit = self.context.option("subreddit")
        url = f"{self._base}/r/{subreddit}/search" if subreddit else f"{self._base}/search"
        params: dict[str, Any] = {"q": self.source.query, "sort": "new", "type": "link", "limit": 100, "raw_json": 1,
                                  **({"restrict_sr": "true"} if subreddit else {})}
        found: list[tuple[float, Mention]] = []
        problems: list[Problem] = []
        names: set[str] = set()
        for _ in range(int(self.context.option("max_pages", 5))):
            listing = await self.http.get_json(url, params, self._headers, auth_hint=AUTH_HINT)
            children = _children(listing)
            if children is None:
                problems.append(Problem("Reddit: search body is not a Listing", json.dumps(listing)[:500], url))
                return found, problems, False
            reached = False
            for child in children:
                item = self._item(child, "t3", url, 0)
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                created, mention = item
                if utc is not None and (created < utc or (created == utc and mention.native_id in seen)):
                    reached = reached or created < utc
                    continue
                if mention.native_id not in names:  # pages shift while new posts arrive
                    names.add(mention.native_id)
                    found.append(item)
            after = listing["data"].get("after")
            if reached or not after or not children:
                return found, problems, False
            params = {**params, "after": after}
        return found, problems, True

    async def _tree(self, thread: str, state: Cursor) -> AsyncIterator[Item]:
        """New comments of one thread, oldest first, then a checkpoint."""
        url = f"{self._base}/comments/{thread.removeprefix('t3_')}"
        params = {"sort": "new", "limit": int(self.context.option("comment_limit", 500)), "raw_json": 1}
        try:
            body = await self.http.get_json(url, params, self._headers, auth_hint=AUTH_HINT)
        except AuthError:
            raise
        except HttpProblem as err:  # one removed or unreadable thread must not stop the others
            yield Problem(f"Reddit: comment tree not read ({err})", err.body[:500].decode(errors="replace"), url)
            return
        comments = _children(body[1]) if isinstance(body, list) and len(body) == 2 else None
        if comments is None:
            yield Problem("Reddit: comment tree body is not [submission, comments] Listings",
                          json.dumps(body)[:500], url)
            return
        mark = state["threads"][thread][1]
        found, skipped = [], {"more": 0, "gone": 0}
        for child, replies in _walk(comments, skipped):
            item = self._item(child, "t1", url, replies)
            if isinstance(item, Problem) or item[0] > mark:
                found.append(item)
        log.info("comment tree read", extra={"source": self.source.name, "thread": thread,
                                             "more_skipped": skipped["more"], "deleted_skipped": skipped["gone"]})
        for item in sorted(found, key=lambda i: -1.0 if isinstance(i, Problem) else i[0]):
            if isinstance(item, Problem):
                yield item
                continue
            yield item[1]
            self._emitted += 1
            state["threads"][thread][1] = max(state["threads"][thread][1], item[0])
            if self._emitted >= self.max_items:
                break
        yield Checkpoint(_copy(state))

    def _item(self, child: Any, kind: str, url: str, replies: int) -> tuple[float, Mention] | Problem:
        try:
            if child.get("kind") != kind:
                raise ValueError(f"kind {child.get('kind')!r} where {kind} was expected")
            data = child["data"]
            created = float(data["created_utc"])
            return created, (self._post(data, created) if kind == "t3" else self._comment(data, created, replies))
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            return Problem(f"Reddit: unusable {kind} ({type(err).__name__}: {err})", json.dumps(child)[:500], url)

    def _post(self, data: dict, created: float) -> Mention:
        title, body = self.clean(data["title"]), self.clean(data.get("selftext"))
        return self._mention(data, created, f"t3_{data['id']}", None, None, data["permalink"], title, body or title,
                             Engagement(likes=max(0, int(data.get("score") or 0)),
                                        replies=int(data.get("num_comments") or 0)))

    def _comment(self, data: dict, created: float, replies: int) -> Mention:
        link = str(data["link_id"])
        # Old comments have no permalink field: build the same path for them.
        permalink = data.get("permalink") or f"/r/{data['subreddit']}/comments/{link[3:]}/_/{data['id']}/"
        return self._mention(data, created, f"t1_{data['id']}", link, str(data["parent_id"]), permalink, None,
                             self.clean(data["body"]),
                             Engagement(likes=max(0, int(data.get("score") or 0)), replies=replies))

    def _mention(self, data: dict, created: float, name: str, thread: str | None, parent: str | None,
                 permalink: str, title: str | None, text: str, engagement: Engagement) -> Mention:
        author = str(data["author"])
        author_id = data.get("author_fullname") or author  # old items and deleted accounts have no t2_ id
        owner = self.context.brand_of(author, author_id) if author != "[deleted]" else None
        return Mention(
            platform="reddit", native_id=name, source=self.source.name, url=SITE + permalink,
            thread_id=self.mention_id(thread) if thread else "", parent_id=self.mention_id(parent) if parent else None,
            author=Author(id=author_id, handle=author, name=author), author_is_brand=owner is not None,
            brand=owner or self.source.brand, title=title, text=text,
            published_at=datetime.fromtimestamp(created, timezone.utc), engagement=engagement,
        )

    async def _token(self) -> str:
        secret = self.context.secrets.reddit_client_secret
        if secret is None:
            raise AuthError(f"{self.source.name}: no Reddit credentials (set {AUTH_HINT})")
        client_id = self.context.option("client_id")
        if not client_id:
            return secret.get_secret_value()
        token_url = str(self.context.option("token_url", TOKEN_URL))
        key = (token_url, str(client_id))
        if key in _TOKENS and _TOKENS[key][1] > time.time() + 60:
            return _TOKENS[key][0]
        body = await self.http.post(token_url, data={"grant_type": "client_credentials"},
                                    auth=(str(client_id), secret.get_secret_value()),
                                    auth_hint=f"option client_id and {AUTH_HINT}")
        if not isinstance(body, dict) or not body.get("access_token"):
            why = str(body.get("error") if isinstance(body, dict) else body)[:80]
            raise AuthError(f"{token_url}: no token granted ({why}); check option client_id and {AUTH_HINT}")
        _TOKENS[key] = (str(body["access_token"]), time.time() + float(body.get("expires_in") or 3600))
        return _TOKENS[key][0]


def _children(listing: Any) -> list | None:
    data = listing.get("data") if isinstance(listing, dict) and listing.get("kind") == "Listing" else None
    children = data.get("children") if isinstance(data, dict) else None
    return children if isinstance(children, list) else None


def _walk(children: list, skipped: dict[str, int]) -> list[tuple[Any, int]]:
    """Every comment of a tree with its number of direct replies; ``more`` and deleted ones counted."""
    found, stack = [], list(children)
    while stack:
        child = stack.pop()
        data = child.get("data") if isinstance(child, dict) else None
        if isinstance(child, dict) and child.get("kind") == "more" and isinstance(data, dict):
            skipped["more"] += int(data.get("count") or 0)
            continue
        replies = (_children(data.get("replies")) or []) if isinstance(data, dict) else []
        stack.extend(replies)
        if isinstance(data, dict) and data.get("body") in GONE:
            skipped["gone"] += 1
            continue
        found.append((child, sum(1 for r in replies if isinstance(r, dict) and r.get("kind") == "t1")))
    return found


def _copy(state: Cursor) -> Cursor:
    threads = {name: list(marks) for name, marks in state["threads"].items()}
    return {**state, "seen": list(state.get("seen") or []), "threads": threads}
