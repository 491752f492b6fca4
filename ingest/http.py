"""HTTP for connectors: polite, bounded and explicit about failure.

One :class:`HttpClient` per source: a concurrency limit, a User-Agent naming the project,
timeouts, retries with exponential backoff and full jitter on 429, 5xx and connection
errors, ``Retry-After`` and the rate-limit headers the APIs send honoured (waiting for the
reset when the quota is spent), conditional GET for feeds, and a cap on body size.

Failures are typed: :class:`AuthError` (401/403, with which credential to check),
:class:`HttpProblem` (anything else that ends a run) and :class:`BadBody` (a response we
got but cannot use: too large, not JSON). Credentials travel in headers or params the
connector passes; nothing here logs them (URLs are logged without user info or query).

Redirects are followed here, not by httpx, so that a redirect to another origin is held to
the rules for discovered URLs in :mod:`ingest.reach`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from core.logs import redact_url
from core.retry_after import retry_after_s
from core.settings import IngestSettings
from ingest.reach import (
    Unreachable,
    UnusableUrl,
    check_reachable,
    guarded_transport,
    parse_networks,
    same_origin,
    without_credentials,
)

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10


class HttpProblem(Exception):
    """A request that failed for good this run; the message is one line for the operator.

    ``status`` is the HTTP status when there was a response (None for connection
    failures) and ``body`` the start of that response, for connectors that read the
    API's own error codes (never logged whole: it may echo what we sent).
    """

    def __init__(self, message: str, status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.status = status
        self.body = body[:4096]


class AuthError(HttpProblem):
    """The source refused the request as unauthorised (401/403)."""


class BadBody(HttpProblem):
    """A response arrived but cannot be used (too large, not JSON, truncated)."""

    def __init__(self, reason: str, sample: bytes = b"", status: int | None = None):
        super().__init__(reason, status, sample)
        self.sample = sample


@dataclass(frozen=True)
class Response:
    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def safe_url(url: str | httpx.URL) -> str:
    return redact_url(str(url))


class HttpClient:
    """The HTTP side of one source.

    Args:
        source: the source's name, for messages and logs.
        settings: timeouts, retry, rate-limit, concurrency and size limits.
        sleep: how to wait (tests may record waits instead of sleeping).
    """

    def __init__(
        self,
        source: str,
        settings: IngestSettings,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ):
        self.source = source
        self.settings = settings
        self._limit = asyncio.Semaphore(settings.concurrency)
        self._sleep = sleep
        self._networks = parse_networks(settings.allowed_networks)
        self._client = self._new_client(None)
        # Requests that leave a trusted URL's origin go through connections that re-check
        # every address they open (DNS rebinding).
        self._guarded = self._new_client(guarded_transport(self._networks))
        self.requests = 0
        self.waited_s = 0.0

    def _new_client(self, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self.settings.timeout_s,
            headers={"User-Agent": self.settings.user_agent},
            follow_redirects=False,  # see _once
            transport=transport,
        )

    async def close(self) -> None:
        await self._client.aclose()
        await self._guarded.aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        auth_hint: str = "",
        found_at: str | None = None,
    ) -> Response:
        """GET with retries; a 304 comes back as a response (``not_modified``), not an error.

        ``auth_hint`` names the credential to check, for the message of an :class:`AuthError`.
        ``found_at`` is the URL of the document ``url`` was found in (a link in content, a
        server's pagination link): on another origin, ``url`` is not trusted (see
        :mod:`ingest.reach`); None means configured, trusted.
        """
        wanted = dict(headers or {})
        if etag:
            wanted["If-None-Match"] = etag
        if last_modified:
            wanted["If-Modified-Since"] = last_modified
        try:
            trusted = found_at is None or same_origin(url, found_at)
        except Unreachable:
            trusted = False  # the request reports it
        return await self._with_retries("GET", url, params, wanted, auth_hint, trusted=trusted)

    async def get_json(self, url: str, params: Mapping[str, Any] | None = None,
                       headers: Mapping[str, str] | None = None, *, auth_hint: str = "") -> Any:
        """GET and parse JSON; an unparseable body raises :class:`BadBody` with a sample."""
        response = await self.get(url, params, {"Accept": "application/json", **(headers or {})}, auth_hint=auth_hint)
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as err:
            raise BadBody(f"{safe_url(url)}: not JSON ({err})", response.body, response.status) from None

    async def post(self, url: str, *, data: Mapping[str, Any] | None = None, json_body: Any = None,
                   headers: Mapping[str, str] | None = None, auth: tuple[str, str] | None = None,
                   auth_hint: str = "") -> Any:
        """POST (a form or JSON) with the same retries and errors as GET; returns the parsed JSON.

        For logins and token grants (Bluesky sessions, Reddit's client credentials).
        """
        body = {"data": data, "json": json_body, "auth": auth}
        response = await self._with_retries("POST", url, None, {"Accept": "application/json", **(headers or {})},
                                            auth_hint, body)
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as err:
            raise BadBody(f"{safe_url(url)}: not JSON ({err})", response.body, response.status) from None

    async def _with_retries(self, method: str, url: str, params: Mapping[str, Any] | None,
                            headers: Mapping[str, str], auth_hint: str, body: Mapping[str, Any] | None = None,
                            *, trusted: bool = True) -> Response:
        settings = self.settings
        for attempt in range(settings.retries + 1):
            last = attempt == settings.retries
            try:
                response = await self._once(method, url, params, headers, body or {}, trusted)
            except UnusableUrl as err:
                raise HttpProblem(f"{safe_url(url)}: {err}") from None
            except Unreachable as err:
                raise HttpProblem(f"{safe_url(url)}: not fetched: {err}") from None
            except httpx.InvalidURL as err:
                raise HttpProblem(f"{safe_url(url)}: not a usable URL ({err})") from None
            except httpx.UnsupportedProtocol:
                raise HttpProblem(f"{safe_url(url)}: not an http(s) URL") from None
            except httpx.TransportError as err:
                if last:
                    raise HttpProblem(f"{safe_url(url)}: {type(err).__name__} after {attempt + 1} attempts") from None
                await self._wait(self._backoff(attempt), f"{type(err).__name__}", url)
                continue
            except httpx.DecodingError:
                raise BadBody(f"{safe_url(url)}: the body does not decode as its Content-Encoding says") from None
            except httpx.HTTPError as err:  # anything else httpx refuses: one line, never a traceback
                raise HttpProblem(f"{safe_url(url)}: {type(err).__name__}") from None
            if response.status in (401, 403):
                hint = f", check {auth_hint}" if auth_hint else ""
                raise AuthError(f"{safe_url(url)}: HTTP {response.status}, not authorised{hint}", response.status, response.body)
            if response.status in RETRY_STATUSES:
                asked = retry_after_s(response.headers)
                if asked is not None and asked > settings.max_wait_s:
                    raise HttpProblem(f"{safe_url(url)}: rate limited for {asked:.0f} s, more than max_wait_s",
                                      response.status, response.body)
                if last:
                    raise HttpProblem(f"{safe_url(url)}: HTTP {response.status} after {attempt + 1} attempts",
                                      response.status, response.body)
                await self._wait(asked if asked is not None else self._backoff(attempt), f"HTTP {response.status}", url)
                continue
            if response.status >= 400:
                raise HttpProblem(f"{safe_url(url)}: HTTP {response.status}", response.status, response.body)
            # A quota spent by this very request: wait for the reset before the next one.
            spent = retry_after_s(response.headers)
            if spent:
                await self._wait(min(spent, settings.max_wait_s), "rate limit reached", url)
            return response
        raise AssertionError("unreachable")

    async def _once(self, method: str, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str],
                    body: Mapping[str, Any], trusted: bool) -> Response:
        """One request and the redirects it leads to.

        The credentials in ``headers``, ``params`` and ``body`` belong to the origin of a
        trusted ``url``; a hop to any other origin goes without them, and only to an
        address :func:`ingest.reach.check_reachable` allows."""
        home = url if trusted else None
        for _hop in range(MAX_REDIRECTS + 1):
            client = self._client
            if home is None or not same_origin(url, home):
                if body:
                    raise Unreachable("a request with a body is not sent on to another origin")
                await check_reachable(url, self._networks)
                headers, params = without_credentials(headers), without_credentials(params or {}) or None
                client = self._guarded
            response = await self._send(client, method, url, params, headers, body)
            location = response.headers.get("location") if response.status in REDIRECT_STATUSES else None
            if not location:
                return response
            url, params = urljoin(response.url, location), None  # the Location carries its own query
            if response.status in (301, 302, 303):
                method, body = "GET", {}
        raise HttpProblem(f"{safe_url(url)}: more than {MAX_REDIRECTS} redirects")

    async def _send(self, client: httpx.AsyncClient, method: str, url: str, params: Mapping[str, Any] | None,
                    headers: Mapping[str, str], body: Mapping[str, Any]) -> Response:
        limit = self.settings.max_body_bytes
        extra = {k: v for k, v in body.items() if v is not None}
        async with self._limit:
            self.requests += 1
            async with client.stream(method, url, params=params, headers=headers, **extra) as streamed:
                if streamed.status_code in REDIRECT_STATUSES and "location" in streamed.headers:
                    return Response(streamed.status_code, str(streamed.url), streamed.headers, b"")
                declared = streamed.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise BadBody(f"{safe_url(url)}: body of {int(declared):,} bytes exceeds max_body_bytes ({limit:,})")
                chunks, size = [], 0
                async for chunk in streamed.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise BadBody(f"{safe_url(url)}: body exceeds max_body_bytes ({limit:,})", b"".join(chunks)[:2000])
                    chunks.append(chunk)
                return Response(streamed.status_code, str(streamed.url), dict(streamed.headers), b"".join(chunks))

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads retries of many workers instead of synchronising them.
        ceiling = min(self.settings.max_backoff_s, self.settings.backoff_s * 2**attempt)
        return random.uniform(0, ceiling)

    async def _wait(self, seconds: float, why: str, url: str) -> None:
        log.info("waiting before retry",
                 extra={"source": self.source, "why": why, "url": safe_url(url), "seconds": round(seconds, 2)})
        self.waited_s += seconds
        await self._sleep(seconds)
