"""Brand account handles: which brand owns a handle, and which handles a text tags.

Handles compare without the leading ``@``, without an instance (``user@instance`` on
Mastodon is ``user``) and without case; a tag in a text ends before a trailing full stop.
Enrichment (does a message address the brand?) and the reply tracker (which brand is
addressed, which brand is replying) share these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.settings import Brand

_TAG = re.compile(r"(?<![\w@])@([\w.]+)")


def handle_key(handle: str) -> str:
    return handle.lstrip("@").split("@")[0].lower()


def own_handles(brands: Iterable[Brand]) -> dict[str, str]:
    """Every own handle of every brand, on any platform -> the brand's name."""
    return {handle_key(handle): brand.name
            for brand in brands for handles in brand.own_accounts.values() for handle in handles}


def tagged(text: str) -> list[str]:
    """The handles ``text`` tags, in order, as :func:`handle_key` gives them."""
    return [tag.rstrip(".").lower() for tag in _TAG.findall(text)]
