"""Bounded waits on observable state: a test waits for what it needs, never a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout_s: float, what: str, *, every_s: float = 0.2,
               detail: Callable[[], str] | None = None) -> T:
    """Poll ``condition`` until it returns something true, and return that.

    Fails with ``what`` (and ``detail()``, say a log's tail) once ``timeout_s`` has passed.
    An ``AssertionError`` from ``condition`` (a worker found dead) fails at once.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        if value := condition():
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not reached in {timeout_s:g} s" + (f"\n{detail()}" if detail else ""))
        time.sleep(every_s)


def wait_steady(read: Callable[[], T], quiet_s: float, timeout_s: float, what: str, *, every_s: float = 0.25) -> T:
    """Wait until ``read()`` has returned the same value for ``quiet_s`` (whatever was in flight
    has landed), and return that value; fail if it still changes after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    last, since = read(), time.monotonic()
    while time.monotonic() - since < quiet_s:
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: still changing after {timeout_s:g} s (last {last!r})")
        time.sleep(every_s)
        if (now := read()) != last:
            last, since = now, time.monotonic()
    return last
