"""YouTube comments through the Data API v3: comment threads on chosen videos or a whole channel.

``GET /commentThreads?part=snippet,replies&order=time&maxResults=100&textFormat=plainText&key=``
with ``videoId`` for each of option ``video_ids`` and/or ``allThreadsRelatedToChannelId`` for
option ``channel_id``; pages by ``nextPageToken``. A thread carries its top-level comment and
some of its replies; when ``totalReplyCount`` says there are more, ``GET /comments?part=snippet
&parentId=`` reads them (at most ``max_reply_fetches`` threads per run: each call costs quota).

Threading: the top-level comment is the thread root (it is what the channel owner answers,
so brand replies pair with it); every reply has it as ``thread_id`` and ``parent_id`` (YouTube
replies are flat). A comment by the channel owner (``authorChannelId`` == option
``channel_id`` or the thread's ``snippet.channelId``) or by one of the brand's own
``youtube`` accounts is a brand reply. ``textOriginal`` is preferred to ``textDisplay``.

The key (``PASSAPAROLA_SECRETS__YOUTUBE_API_KEY``) goes in the ``key`` parameter, as the API requires;
URLs are logged without their query. A failing video or channel is a problem naming Google's reason
(``quotaExceeded``, ``commentsDisabled``...) and the others go on; the run fails only if all fail.

Options:
    video_ids: list of video ids (or one comma-separated string).
    channel_id: the brand's channel id: its threads, and who the owner is.
    max_reply_fetches: threads per run whose missing replies are fetched (default 10).
    max_items: mentions per run, counted per thread (default: ingest ``max_items_per_run``).

Cursor, per ``video:<id>`` / ``channel:<id>``: ``since``, the newest comment time emitted.
``order=time`` gives the newest threads first, so a scan stops after the page that reaches
threads older than ``since``; replies newer than ``since`` in the threads read are emitted
too, so answers to recent threads are found. While a scan is unfinished (``max_items``) the
cursor also keeps ``scan``: the page token to go on from, the threads already done on that
page and the newest time seen, which becomes ``since`` when the scan completes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from core.schema import Author, Engagement, Mention
from core.settings import ConfigError
from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem
from ingest.http import AuthError, BadBody, HttpProblem

API = "https://www.googleapis.com/youtube/v3"
AUTH_HINT = "PASSAPAROLA_SECRETS__YOUTUBE_API_KEY"
MAX_REPLY_PAGES = 5
# Google's error reasons (error.errors[] and .details[] of the body), else the status -> (key at fault, meaning).
REASONS = {"keyInvalid": (True, "the API key is not valid"), "API_KEY_INVALID": (True, "the API key is not valid"),
           "accessNotConfigured": (True, "the YouTube Data API is not enabled in the key's Google Cloud project"),
           "quotaExceeded": (False, "the key's daily quota is spent (reset at midnight Pacific time)"),
           "commentsDisabled": (False, "the video has its comments turned off")}
WHY = {400: (True, "a bad parameter or an invalid API key"), 401: (True, "the API key was refused"),
       403: (True, "a refused key, a spent quota or comments turned off"), 404: (False, "no such video or channel")}


class YouTubeConnector(Connector):
    kind = "youtube"

    async def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        key = self.context.secrets.youtube_api_key
        if key is None:
            raise AuthError(f"{self.source.name}: no YouTube API key (set {AUTH_HINT})")
        self._key = key.get_secret_value()
        self._base = (self.source.url or API).rstrip("/")
        self._emitted, self._seen, self._reply_fetches = 0, set(), 0
        state = {name: dict(cursor[name]) for name, _ in self._scopes() if isinstance(cursor.get(name), dict)}
        failures: list[HttpProblem] = []
        for name, params in self._scopes():
            try:
                async for item in self._scan(name, params, state):
                    yield item
            except HttpProblem as err:
                failures.append(_explained(err, name))
                yield Problem(str(failures[-1]), url=f"{self._base}/commentThreads")
        if len(failures) == len(self._scopes()):
            raise failures[-1]  # nothing worked: the key or the quota, most likely

    def _scopes(self) -> list[tuple[str, dict[str, str]]]:
        videos = self.context.option("video_ids") or []
        if isinstance(videos, str):
            videos = [v.strip() for v in videos.split(",") if v.strip()]
        scopes = [(f"video:{v}", {"videoId": v}) for v in videos]
        if self.context.option("channel_id"):
            channel = self.context.option("channel_id")
            scopes.append((f"channel:{channel}", {"allThreadsRelatedToChannelId": channel}))
        if not scopes:
            raise ConfigError(f"source {self.source.name!r}: a youtube source needs video_ids or channel_id")
        return scopes

    async def _scan(self, name: str, params: dict[str, str], state: dict[str, dict]) -> AsyncIterator[Item]:
        mine = state.get(name, {})
        since = _time(mine["since"]) if mine.get("since") else None
        scan = mine.get("scan") or {}
        token, done = scan.get("page"), set(scan.get("done") or [])
        newest = _time(scan["newest"]) if scan.get("newest") else since
        url = f"{self._base}/commentThreads"
        while True:
            asked = {"part": "snippet,replies", "order": "time", "maxResults": 100, "textFormat": "plainText",
                     **params, "key": self._key, **({"pageToken": token} if token else {})}
            page = await self.http.get_json(url, asked, auth_hint=AUTH_HINT)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise HttpProblem(f"{url}: not a commentThreadListResponse (no items list)")
            reached_seen = False
            for thread in page["items"]:
                thread_id = thread.get("id") if isinstance(thread, dict) else None
                if thread_id in done:
                    continue
                if self._emitted >= self.max_items:  # this page again next run, minus the threads done
                    state[name] = _state(since, {"page": token, "done": sorted(done), "newest": newest})
                    yield Checkpoint(_copy(state))
                    return
                async for item in self._thread(thread, since, url):
                    if isinstance(item, Mention):
                        newest = max(newest or item.published_at, item.published_at)
                    yield item
                top = _top_time(thread)
                reached_seen |= top is not None and since is not None and top <= since
                if isinstance(thread_id, str):
                    done.add(thread_id)
            token, done = page.get("nextPageToken"), set()
            if reached_seen or not token or not page["items"]:
                state[name] = _state(newest, None)
                yield Checkpoint(_copy(state))
                return
            state[name] = _state(since, {"page": token, "done": [], "newest": newest})
            yield Checkpoint(_copy(state))

    async def _thread(self, thread: Any, since: datetime | None, url: str) -> AsyncIterator[Item]:
        """The thread's comments newer than ``since``: the top-level one, then its replies."""
        try:
            snippet = thread["snippet"]
            top = snippet["topLevelComment"]
            owner = self.context.option("channel_id") or snippet.get("channelId")
            video = snippet.get("videoId")
            total = int(snippet.get("totalReplyCount") or 0)
            replies = list((thread.get("replies") or {}).get("comments") or [])
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            yield Problem(f"YouTube: unusable comment thread ({type(err).__name__}: {err})",
                          json.dumps(thread)[:500], url)
            return
        root = self._item(top, video, owner, None, total)
        if isinstance(root, Problem):
            yield root
            return
        if total > len(replies) and self._reply_fetches < int(self.context.option("max_reply_fetches", 10)):
            self._reply_fetches += 1
            replies = await self._all_replies(root.native_id, replies)
        for item in [root] + [self._item(r, video, owner, root.native_id, 0) for r in replies]:
            if isinstance(item, Problem):
                yield item
            elif (since is None or item.published_at > since) and item.native_id not in self._seen:
                self._seen.add(item.native_id)
                self._emitted += 1
                yield item

    async def _all_replies(self, parent: str, known: list) -> list:
        url, token, found = f"{self._base}/comments", None, []
        for _ in range(MAX_REPLY_PAGES):
            asked = {"part": "snippet", "parentId": parent, "maxResults": 100, "textFormat": "plainText",
                     "key": self._key, **({"pageToken": token} if token else {})}
            page = await self.http.get_json(url, asked, auth_hint=AUTH_HINT)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                return known  # keep what the thread gave; the next run tries again
            found += page["items"]
            token = page.get("nextPageToken")
            if not token:
                break
        return found or known

    def _item(self, comment: Any, video: str | None, owner: str | None, parent: str | None, total: int) -> Item:
        """A comment as a mention (``parent`` None for the top-level one); a problem if malformed."""
        try:
            native = str(comment["id"])
            snippet = comment["snippet"]
            channel = str((snippet.get("authorChannelId") or {}).get("value") or "")
            display = snippet.get("authorDisplayName")
            brand = self.context.brand_of(channel, display)
            root = parent or native
            return Mention(
                platform="youtube",
                native_id=native,
                source=self.source.name,
                url=f"https://www.youtube.com/watch?v={video}&lc={native}" if video else None,
                thread_id=self.mention_id(root),
                parent_id=self.mention_id(str(snippet.get("parentId") or parent)) if parent else None,
                author=Author(id=channel, handle=display.lstrip("@") if display else None, name=display),
                author_is_brand=bool(channel and channel == owner) or brand is not None,
                brand=brand or self.source.brand,
                text=self.clean(snippet.get("textOriginal") or snippet.get("textDisplay")),
                published_at=_time(snippet["publishedAt"]),
                engagement=Engagement(likes=int(snippet.get("likeCount") or 0), replies=total),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            return Problem(f"YouTube: unusable comment ({type(err).__name__}: {err})", json.dumps(comment)[:500],
                           f"{self._base}/comments")


def _explained(err: HttpProblem, scope: str) -> HttpProblem:
    """``err`` in one line naming the scope and what YouTube meant (its error body's reason, else the status)."""
    if isinstance(err, BadBody):
        return BadBody(f"YouTube {scope}: {err}", err.sample, err.status)
    reason = _google_reason(err.body)
    key_fault, meaning = REASONS.get(reason) or WHY.get(err.status, (False, None))
    if meaning is None:
        return type(err)(f"YouTube {scope}: {err}", err.status, err.body)
    said = f"YouTube {scope}: HTTP {err.status}{f' {reason}' if reason else ''}: {meaning}"
    return (AuthError if key_fault else HttpProblem)(said + f"; check {AUTH_HINT}" * key_fault, err.status, err.body)


def _google_reason(body: bytes) -> str | None:
    """The first reason of a Google error body that ``REASONS`` knows, else its first reason."""
    try:
        error = json.loads(body)["error"]
        found = [str(e["reason"]) for e in error.get("errors", []) + error.get("details", []) if e.get("reason")]
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return next((r for r in found if r in REASONS), found[0] if found else None)


def _top_time(thread: Any) -> datetime | None:
    try:
        return _time(thread["snippet"]["topLevelComment"]["snippet"]["publishedAt"])
    except (KeyError, TypeError, ValueError):
        return None


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(value)


def _state(since: datetime | None, scan: dict | None) -> dict:
    state: dict[str, Any] = {"since": since.isoformat()} if since else {}
    if scan:
        state["scan"] = {**scan, "newest": scan["newest"].isoformat() if scan.get("newest") else None}
    return state


def _copy(state: dict[str, dict]) -> Cursor:
    return json.loads(json.dumps(state))
