"""What every connector is: an async iterator of mentions, problems and checkpoints.

A connector knows one source's API and nothing about Kafka. ``fetch(cursor)`` walks the
source from where ``cursor`` says the last run stopped and yields, in order:

- :class:`~core.schema.Mention` records, with ``thread_id``/``parent_id`` and ``author_is_brand`` set;
- :class:`Problem` for input it could not use, which the runner writes to ``ingest.errors``;
- :class:`Checkpoint` after the mentions it covers: the runner saves it once Kafka has them.

A failure that ends the run (auth refused, the API down after retries) is raised as an
:class:`~ingest.http.HttpProblem`; the runner records it and tries again next interval.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from core.schema import Mention, mention_id
from core.settings import Brand, Secrets, Source
from ingest.http import HttpClient
from ingest.text import clean_text

Cursor = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """Input a connector could not turn into a mention; goes to ``ingest.errors``.

    ``sample`` is the start of the offending input (capped by the runner), so whoever
    reads the error topic can see what was wrong without the source at hand.
    """

    reason: str
    sample: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    """The cursor to persist once every mention yielded before it is in Kafka."""

    cursor: Cursor


Item = Mention | Problem | Checkpoint


@dataclass
class SourceContext:
    """Everything a connector may use besides its HTTP client.

    Args:
        source: the configured source (name, kind, url, query, brand, options).
        brands: the configured brands; their ``own_accounts`` for this platform decide
            ``author_is_brand``.
        secrets: credentials from the environment; connectors read only their own.
    """

    source: Source
    brands: list[Brand] = field(default_factory=list)
    secrets: Secrets = field(default_factory=Secrets)

    def __post_init__(self) -> None:
        self._own: dict[str, str] = {}
        for brand in self.brands:
            for handle in brand.own_accounts.get(self.source.kind, []):
                self._own[_account_key(handle)] = brand.name

    def brand_of(self, *accounts: str | None) -> str | None:
        """The brand owning any of ``accounts`` (handle, id or name) on this platform, or None."""
        for account in accounts:
            if account:
                owner = self._own.get(_account_key(account))
                if owner:
                    return owner
        return None

    def option(self, name: str, default: Any = None) -> Any:
        return self.source.options.get(name, default)


def _account_key(account: str) -> str:
    # "@Brand@mastodon.social" and "brand" are the same account for matching purposes:
    # handles compare without "@" and case; an instance suffix is kept when given.
    return str(account).strip().lstrip("@").lower()


class Connector(ABC):
    """Base class: subclasses set ``kind`` and implement :meth:`fetch`.

    Args:
        context: the source and what it may know (brands, secrets).
        http: the source's HTTP client (retries, rate limits, concurrency, size cap).
    """

    kind: ClassVar[str]

    def __init__(self, context: SourceContext, http: HttpClient):
        self.context = context
        self.source = context.source
        self.http = http

    @abstractmethod
    def fetch(self, cursor: Cursor) -> AsyncIterator[Item]:
        """Yield mentions, problems and checkpoints from ``cursor`` on (``{}`` the first time)."""

    def clean(self, text: str | None) -> str:
        """``text`` as clean plain text (HTML dropped, entities decoded), capped in size."""
        return clean_text(text, self.http.settings.max_text_chars)

    @property
    def max_items(self) -> int:
        """Mentions one run yields at most; the rest waits for the next run (cursor permitting)."""
        return int(self.context.option("max_items", self.http.settings.max_items_per_run))

    def mention_id(self, native_id: str) -> str:
        """The id a mention of this platform with ``native_id`` gets (for thread/parent ids)."""
        return mention_id(self.kind, native_id)
