"""X (Twitter) API v2: recent search for the brand, and optionally the posts addressing its account.

Endpoints (bearer token from ``PASSAPAROLA_SECRETS__X_BEARER_TOKEN``, sent as a header):

- ``GET /2/tweets/search/recent`` with ``query`` = ``source.query`` (X's own query syntax),
  pages by ``next_token``;
- ``GET /2/users/:id/mentions`` when option ``mentions_of`` names the brand's user id: the
  posts that address the account, which a search for the brand's name may miss. Pages by
  ``pagination_token``.

Both ask for ``created_at, conversation_id, referenced_tweets, in_reply_to_user_id,
public_metrics, lang, author_id`` with ``expansions=author_id`` (the authors arrive in
``includes.users``). A post becomes a mention with ``thread_id`` = its conversation's root
and ``parent_id`` = the post it replied to; ``author_is_brand`` when the author's username
or id is one of the brand's own ``x`` accounts. Entries of the ``errors`` array a 200 body
may carry (partial errors) become problems.

Retweets are skipped (by default ``-is:retweet`` is added to the search query, and any
that still arrive, e.g. from the mentions timeline, are not emitted): a retweet repeats
someone else's words, truncated, and answers nothing; its weight is already in the
original's ``retweet_count``. Quote posts carry new words and are emitted, as thread roots
of their own (a quote is not a reply).

Options:
    mentions_of: the brand's X user id (numeric); also read its mentions timeline.
    max_results: posts per page, 10..100 (default 100).
    include_retweets: emit retweets too (default False).
    max_items: mentions per run (default: ingest ``max_items_per_run``).

Cursor, per stream (``search``, ``mentions``): ``since_id`` (only newer posts next run);
while a run is unfinished (stopped at ``max_items``) also ``until_id`` (the oldest post
handled, so the next run goes on below it) and ``newest_id`` (the ``since_id`` to adopt
once the backlog is done). Recent search refuses ids older than its 7-day window, so such
ids are dropped (the post id encodes its time) rather than failing every run after an outage.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

from core.schema import Author, Engagement, Mention, utc_now
from core.settings import ConfigError
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError

API = "https://api.x.com"
AUTH_HINT = "PASSAPAROLA_SECRETS__X_BEARER_TOKEN"
TWEET_FIELDS = "created_at,conversation_id,referenced_tweets,in_reply_to_user_id,public_metrics,lang,author_id"
USER_FIELDS = "username,name,public_metrics"
TWITTER_EPOCH_MS = 1288834974657
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=30)  # a margin for clock skew and slow runs
PAGE_KEYS = {"data", "meta", "errors"}  # an empty result is {"meta": {"result_count": 0}}
LANGUAGE_ALIASES = {"in": "id", "iw": "he"}  # X still uses the withdrawn ISO codes


def snowflake_time(post_id: str) -> datetime:
    """When an X post was created, read from its id (milliseconds since X's epoch, shifted 22 bits)."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + TWITTER_EPOCH_MS) / 1000, timezone.utc)


class XConnector(Connector):
    kind = "x"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        token = self.context.secrets.x_bearer_token
        if token is None:
            raise AuthError(f"{self.source.name}: no X bearer token (set {AUTH_HINT})")
        self._headers = {"Authorization": f"Bearer {token.get_secret_value()}"}
        self._emitted, self._seen = 0, set()
        state = {key: dict(value) for key, value in cursor.items() if isinstance(value, dict)}
        for key, path, params, page_param in self._streams():
            async for item in self._stream(key, path, params, page_param, state):
                yield item

    def _streams(self) -> list[tuple[str, str, dict[str, Any], str]]:
        base = (self.source.url or API).rstrip("/")
        size = int(self.context.option("max_results", 100))
        fields = {"tweet.fields": TWEET_FIELDS, "expansions": "author_id", "user.fields": USER_FIELDS}
        streams = []
        if self.source.query:
            query = self.source.query
            if not self.context.option("include_retweets", False) and "is:retweet" not in query:
                query = f"({query}) -is:retweet"  # parenthesised: a space binds tighter than OR
            streams.append(("search", f"{base}/2/tweets/search/recent",
                            {"query": query, "max_results": max(10, min(100, size)), **fields}, "next_token"))
        if self.context.option("mentions_of"):
            user = str(self.context.option("mentions_of"))
            if not user.isdigit():
                raise ConfigError(f"source {self.source.name!r}: mentions_of must be the numeric user id, not {user!r}")
            streams.append(("mentions", f"{base}/2/users/{user}/mentions",
                            {"max_results": max(5, min(100, size)), **fields}, "pagination_token"))
        if not streams:
            raise ConfigError(f"source {self.source.name!r}: an x source needs a query or option mentions_of")
        return streams

    async def _stream(self, key: str, url: str, params: dict[str, Any], page_param: str,
                      state: dict[str, dict]) -> AsyncIterator[Item]:
        mine = state.get(key, {})
        since, until, newest = mine.get("since_id"), mine.get("until_id"), mine.get("newest_id")
        if key == "search":
            if until and not self._in_window(until):  # the backlog fell out of the window
                since, until, newest = newest, None, None
            if since and not self._in_window(since):
                since = None
        asked = {**params, **({"since_id": since} if since else {}), **({"until_id": until} if until else {})}
        next_token = None
        while self._emitted < self.max_items:
            page = await self.http.get_json(url, {**asked, **({page_param: next_token} if next_token else {})},
                                            self._headers, auth_hint=AUTH_HINT)
            if not _is_page(page):
                yield Problem("X: body is not a page of posts", json.dumps(page)[:500], url)
                return
            for problem in page.get("errors") or []:
                yield Problem(_error_reason(problem), json.dumps(problem)[:500], url)
            users = {u.get("id"): u for u in (page.get("includes") or {}).get("users", []) if isinstance(u, dict)}
            for post in page.get("data", []):
                if self._emitted >= self.max_items:  # go on below the last post handled next run
                    state[key] = {"since_id": since, "until_id": until, "newest_id": newest}
                    yield Checkpoint(_copy(state))
                    return
                post_id = str(post.get("id", "")) if isinstance(post, dict) else ""
                if post_id.isdigit():
                    newest = max(newest or post_id, post_id, key=int)
                    until = post_id if until is None else min(until, post_id, key=int)
                item = self._item(post, users, url)
                if isinstance(item, Mention):
                    self._emitted += 1
                if item is not None:
                    yield item
            next_token = (page.get("meta") or {}).get("next_token")
            if not next_token or not page.get("data"):
                state[key] = {"since_id": newest or since} if (newest or since) else {}
                yield Checkpoint(_copy(state))
                return
            state[key] = {"since_id": since, "until_id": until, "newest_id": newest}
            yield Checkpoint(_copy(state))

    def _in_window(self, post_id: str) -> bool:
        try:
            return snowflake_time(post_id) > utc_now() - SEARCH_WINDOW
        except ValueError:
            return False

    def _item(self, post: Any, users: dict[str, dict], url: str) -> Item | None:
        """The mention for one post; a problem if it is malformed; None for a skipped repeat or retweet."""
        try:
            refs = {r.get("type"): str(r.get("id")) for r in post.get("referenced_tweets") or []}
            if "retweeted" in refs and not self.context.option("include_retweets", False):
                return None
            mention = self._mention(post, refs, users)
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            return Problem(f"X: unusable post ({type(err).__name__}: {err})", json.dumps(post)[:500], url)
        if mention.native_id in self._seen:  # found by both the search and the mentions timeline
            return None
        self._seen.add(mention.native_id)
        return mention

    def _mention(self, post: dict, refs: dict[str, str], users: dict[str, dict]) -> Mention:
        post_id = str(post["id"])
        if not post_id.isdigit():
            raise ValueError(f"post id {post_id!r} is not numeric")
        author_id = str(post.get("author_id") or "")
        user = users.get(author_id) or {}
        username = user.get("username")
        owner = self.context.brand_of(username, author_id)
        published = post.get("created_at")
        conversation = post.get("conversation_id")
        metrics = post.get("public_metrics") or {}
        return Mention(
            platform="x",
            native_id=post_id,
            source=self.source.name,
            url=f"https://x.com/{username or 'i'}/status/{post_id}",
            thread_id=self.mention_id(str(conversation)) if conversation else "",
            parent_id=self.mention_id(refs["replied_to"]) if "replied_to" in refs else None,
            author=Author(id=author_id, handle=username, name=user.get("name"),
                          followers=(user.get("public_metrics") or {}).get("followers_count")),
            author_is_brand=owner is not None,
            brand=owner or self.source.brand,
            text=self.clean(post.get("text")),
            language=_language(post.get("lang")),
            # Without created_at (not asked for, as in some recordings) the id still tells the time.
            published_at=datetime.fromisoformat(published) if published else snowflake_time(post_id),
            engagement=Engagement(
                likes=int(metrics.get("like_count") or 0),
                shares=int(metrics.get("retweet_count") or 0) + int(metrics.get("quote_count") or 0),
                replies=int(metrics.get("reply_count") or 0),
                views=metrics.get("impression_count"),
            ),
        )


def _is_page(page: Any) -> bool:
    return isinstance(page, dict) and not page.keys().isdisjoint(PAGE_KEYS) and isinstance(page.get("data", []), list)


def _language(lang: Any) -> str | None:
    # X marks undetermined or non-linguistic posts with und, qme, zxx...: not languages.
    if isinstance(lang, str) and len(lang) == 2 and lang.isalpha():
        return LANGUAGE_ALIASES.get(lang.lower(), lang.lower())
    return None


def _error_reason(problem: Any) -> str:
    if not isinstance(problem, dict):
        return "X: partial error in the response"
    title = problem.get("title") or "error"
    detail = problem.get("detail") or problem.get("message") or ""
    return f"X: {title}: {detail}".rstrip(": ")


def _copy(state: dict[str, dict]) -> Cursor:
    return {key: dict(value) for key, value in state.items()}
