"""How long a server asks a client to wait: ``Retry-After`` and the rate-limit headers.

Shared by the connectors' HTTP client and the alert webhook. Whatever a server sends, the
answer is a finite number of seconds or None: a header that does not parse is no request.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from datetime import datetime, timezone


def retry_after_s(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from ``Retry-After`` or a spent rate-limit quota.

    Understands ``Retry-After`` (seconds or an HTTP date) and the ``*-RateLimit-Remaining``
    / ``*-RateLimit-Reset`` pairs, whose reset is epoch seconds (X, GitHub style), seconds
    from now (Reddit) or an ISO date (Mastodon).
    """
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    if "retry-after" in lower:
        value = lower["retry-after"].strip()
        try:
            return _seconds(float(value))
        except ValueError:
            return _date_in_s(value, now)
    # x-rate-limit-* (X), x-ratelimit-* (Reddit, Mastodon), ratelimit-* (IETF draft).
    squashed = {k.replace("-", ""): v for k, v in lower.items()}
    remaining = next((v for k, v in squashed.items() if k.endswith("ratelimitremaining")), None)
    reset = next((v for k, v in squashed.items() if k.endswith("ratelimitreset")), None)
    if remaining is None or reset is None:
        return None
    try:
        if float(remaining) >= 1:
            return None
    except ValueError:
        return None
    return _reset_in_s(reset.strip(), now)


def _reset_in_s(reset: str, now: float) -> float | None:
    try:
        value = _seconds(float(reset))
    except ValueError:
        try:
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, when.timestamp() - now)
    if value is None:
        return None
    # Epoch seconds are large; "seconds until reset" is small.
    return max(0.0, value - now) if value > 1e9 else value


def _seconds(value: float) -> float | None:
    """A finite, non-negative number of seconds; None for nan and infinities."""
    return max(0.0, value) if math.isfinite(value) else None


def _date_in_s(value: str, now: float) -> float | None:
    """Seconds from ``now`` to an HTTP date (RFC 9110), None if ``value`` is not one."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)
