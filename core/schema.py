"""The one schema of a mention, shared by connectors, stream processors and sinks.

A mention is a post, comment or reply that a connector found. It is immutable data: the
connectors fill it, enrichment adds fields next to it, and the sinks index it under its
deterministic ``id`` so that a replayed or duplicated message overwrites, never doubles.

Versioning: ``SCHEMA_VERSION`` goes into every message (field and Kafka header). Adding an
optional field keeps the version; renaming, removing or changing the meaning of a field
bumps it, and readers refuse versions newer than theirs with a clear error.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SCHEMA_VERSION = 1

Platform = Literal[
    "feed",
    "wordpress",
    "disqus",
    "mastodon",
    "bluesky",
    "reddit",
    "hackernews",
    "x",
    "facebook",
    "youtube",
]
PLATFORMS: tuple[str, ...] = Platform.__args__  # type: ignore[attr-defined]

SentimentLabel = Literal["positive", "negative", "neutral", "mixed"]
Intent = Literal["complaint", "question", "suggestion", "purchase", "praise", "other"]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]


class SchemaError(ValueError):
    """A message that is not a valid mention; the text says why."""


def mention_id(platform: str, native_id: str) -> str:
    """Deterministic id of a mention: the same post always gets the same id.

    128 bits of BLAKE2b over ``platform:native_id``: short enough for a Kafka key and an
    Elasticsearch ``_id``, wide enough that collisions are not a practical concern.
    """
    return hashlib.blake2b(f"{platform}:{native_id}".encode(), digest_size=16).hexdigest()


def _utc(value: datetime) -> datetime:
    # Naive datetimes are read as UTC: feeds and APIs that omit the zone mean UTC far
    # more often than local time, and one rule beats guessing per source.
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    # pydantic passes an OverflowError (year 1 at +01:00) on unwrapped: make it a ValueError
    # (test_a_date_that_overflows_in_utc_is_a_schema_error).
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("date out of range once moved to UTC") from None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Author(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    handle: str | None = None
    name: str | None = None
    followers: int | None = Field(default=None, ge=0)


class Engagement(BaseModel):
    model_config = ConfigDict(frozen=True)

    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    views: int | None = Field(default=None, ge=0)


class Sentiment(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: float = Field(ge=-1.0, le=1.0, description="-1 most negative, +1 most positive")
    label: SentimentLabel
    method: str = Field(description="what computed it, e.g. vader+social or it-linear-v1")


class Mention(BaseModel):
    """One post, comment or reply about a brand, as a connector found it.

    ``thread_id`` and ``parent_id`` are mention ids (see :func:`mention_id`) of the thread's
    root and of the message this one answers, so replies pair with what they answer
    whatever connector produced either side. A root post's ``thread_id`` is its own id.
    """

    # Unknown fields are ignored rather than refused, so an older reader survives a newer
    # writer that only added optional fields (which does not bump the version).
    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: int = SCHEMA_VERSION
    id: str = ""
    platform: Platform
    native_id: str = Field(min_length=1)
    source: str = Field(min_length=1, description="name of the configured source that found it")
    url: str | None = None
    thread_id: str = ""
    parent_id: str | None = None
    author: Author
    author_is_brand: bool = False
    brand: str | None = None
    title: str | None = None
    text: str = ""
    language: str | None = Field(default=None, description="ISO 639-1; a connector's hint until enrichment decides")
    published_at: datetime
    fetched_at: datetime = Field(default_factory=utc_now)
    engagement: Engagement = Field(default_factory=Engagement)
    # Filled by enrichment (streams); empty on mentions.raw.
    sentiment: Sentiment | None = None
    intent: Intent | None = None
    topics: list[str] = Field(default_factory=list, description="aspects of the taxonomy: price, delivery, ...")
    keywords: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list, description="every configured brand whose query matches")
    promo: bool | None = None
    duplicate_of: str | None = Field(default=None, description="id of the earlier mention this one copies")

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {version} is newer than this reader's {SCHEMA_VERSION}: upgrade the worker"
            )
        return version

    @field_validator("published_at", "fetched_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return _utc(value)

    @model_validator(mode="after")
    def _derive_ids(self) -> Mention:
        expected = mention_id(self.platform, self.native_id)
        if self.id and self.id != expected:
            raise ValueError(f"id {self.id!r} is not the deterministic id of {self.platform}:{self.native_id}")
        # frozen model: set derived fields through object.__setattr__ once, at validation.
        object.__setattr__(self, "id", expected)
        if not self.thread_id:
            object.__setattr__(self, "thread_id", expected)
        return self

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_json(cls, payload: bytes | str) -> Mention:
        """Parse a message; raise :class:`SchemaError` with a one-line reason if it is not a mention."""
        try:
            return cls.model_validate_json(payload)
        except ValidationError as err:
            raise SchemaError(_reason(err)) from None


def _reason(err: ValidationError) -> str:
    parts = []
    for item in err.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "message"
        parts.append(f"{where}: {item['msg']}")
    more = err.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
