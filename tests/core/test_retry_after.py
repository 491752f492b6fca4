"""What a server's wait headers come to: a finite number of seconds or None, whatever it sends."""

from __future__ import annotations

import pytest

from core.retry_after import retry_after_s


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "1000"}, None),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "42"}, 42.0),  # Reddit: seconds from now
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1970-01-01T00:01:40Z"}, 60.0),  # Mastodon: ISO
        ({"Retry-After": "Thu, 01 Jan 1970 00:01:40 GMT"}, 60.0),  # an HTTP date
        ({}, None),
    ],
)
def test_retry_after_reads_each_platforms_headers(headers, expected):
    assert retry_after_s(headers, now=40.0) == expected


@pytest.mark.parametrize("value", ["soon", "nan", "inf", "-inf", "1e400", "Thu, 99 Foo 1970", "\x00"])
def test_a_retry_after_that_is_no_number_of_seconds_is_no_request(value):
    """A hostile or broken server's header never raises and never asks for an endless wait."""
    assert retry_after_s({"Retry-After": value}, now=40.0) is None


def test_a_reset_that_is_no_number_is_no_request():
    assert retry_after_s({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "inf"}, now=40.0) is None
    assert retry_after_s({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "someday"}, now=40.0) is None
