"""Enrichment of a mention: language, sentiment, intent, topics, brands, promo, duplicates.

Each step is a pure function in its own module (text and metadata in, fields out); the
:class:`Enricher` only builds what they need once (compiled brand queries, the aspect
taxonomy, the duplicate index) and calls them in order. Its three callers: the Faust
agent (:mod:`streams.enrichment.agent`), the offline ``passaparola enrich`` command and
the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from core.schema import Mention, Sentiment
from core.settings import Brand, Settings
from streams.enrichment.brand_query import BrandMatcher, QueryDoc, words
from streams.enrichment.duplicates import DuplicateIndex
from streams.enrichment.intent import classify_intent
from streams.enrichment.language import DEFAULT_LANGUAGES, detect_language
from streams.enrichment.promo import is_promo
from streams.enrichment.sentiment import sentiment
from streams.enrichment.topics import AspectTaxonomy, keywords
from streams.handles import own_handles, tagged


@dataclass(frozen=True)
class Enrichment:
    """The fields enrichment adds to a mention."""

    language: str
    sentiment: Sentiment
    intent: str
    topics: list[str]
    keywords: list[str]
    brands: list[str]
    promo: bool
    duplicate_of: str | None

    def as_dict(self) -> dict:
        fields = dict(vars(self))
        fields["sentiment"] = self.sentiment.model_dump()
        return fields


def brand_words(brands: list[Brand]) -> frozenset[str]:
    """Words that name a monitored brand (its name, the #tags and @handles of its query, its own
    accounts), folded: not keywords, as they would lead every list of what people say."""
    found: set[str] = set()
    for brand in brands:
        found.update(words(brand.name))
        found.update(word for word in words(brand.query) if word[:1] in "#@")
        found.update(word for handles in brand.own_accounts.values() for handle in handles for word in words(handle))
    return frozenset(word.lstrip("#@") for word in found)


@dataclass
class Enricher:
    """Enriches mentions; holds the compiled configuration and the duplicate index.

    Args:
        brands: configured brands; their queries decide ``brands``.
        taxonomy: the aspect taxonomy behind ``topics``.
        languages: the languages language identification chooses among.
        duplicates: the near-duplicate index (stateful: one per worker), or None to skip.
        drop_unmatched: whether :meth:`keeps` refuses mentions no brand matches.
    """

    brands: list[Brand]
    taxonomy: AspectTaxonomy = field(default_factory=AspectTaxonomy.default)
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    duplicates: DuplicateIndex | None = None
    drop_unmatched: bool = True

    def __post_init__(self) -> None:
        self.matcher = BrandMatcher(self.brands)  # compiled once; a bad query fails here
        self._brand_handles = own_handles(self.brands)
        self._brand_words = brand_words(self.brands)

    def _tags_a_brand(self, text: str) -> bool | None:
        """True when the text tags a brand's own account; None (judge from the text) otherwise."""
        return True if any(tag in self._brand_handles for tag in tagged(text)) else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Enricher:
        cfg = settings.enrichment
        taxonomy = AspectTaxonomy.from_toml(cfg.aspects_file) if cfg.aspects_file else AspectTaxonomy.default()
        index = DuplicateIndex(window=timedelta(hours=cfg.duplicate_window_hours), max_entries=cfg.duplicate_max_entries)
        return cls(settings.brands, taxonomy, tuple(cfg.languages), index, cfg.drop_unmatched)

    def fields(
        self,
        *,
        id: str,
        text: str,
        title: str | None = None,
        language_hint: str | None = None,
        author_handle: str | None = None,
        author_name: str | None = None,
        url: str | None = None,
        platform: str | None = None,
        published_at: datetime | None = None,
        brand_hint: str | None = None,
        author_is_brand: bool = False,
    ) -> Enrichment:
        """Enrich from text and metadata: what a minimal ``{"id", "text"}`` line can give."""
        body = f"{title}. {text}" if title else text
        language = detect_language(body, hint=language_hint, languages=self.languages)
        feeling = sentiment(body, language)
        doc = QueryDoc.of(text, title=title, author_handle=author_handle, author_name=author_name, url=url,
                          language=language, platform=platform)
        matched = self.matcher.match(doc)
        # A connector that found the mention for one brand (its page, its hashtag feed)
        # vouches for it even when the text never names the brand.
        brands = matched if brand_hint is None or brand_hint in matched else [brand_hint, *matched]
        shared = dict(
            language=language,
            sentiment=Sentiment(score=round(feeling.score, 4), label=feeling.label, method=feeling.method),
            brands=brands,
            promo=is_promo(body, language),
        )
        if author_is_brand:
            # The brand's own posts and replies are not buzz: their intent, topics and
            # keywords would only pollute the dashboards' "what people talk about", and
            # their canned replies repeat by design (so no duplicate check either).
            return Enrichment(**shared, intent="other", topics=[], keywords=[], duplicate_of=None)
        original = None
        if self.duplicates is not None:
            original = self.duplicates.check(id, body, published_at or datetime.now(timezone.utc))
        return Enrichment(
            **shared,
            intent=classify_intent(body, language, feeling.label, self._tags_a_brand(text)),
            topics=self.taxonomy.aspects(body, language),
            keywords=keywords(body, language, exclude=self._brand_words),
            duplicate_of=original,
        )

    def enrich(self, mention: Mention) -> Mention:
        found = self.fields(
            id=mention.id,
            text=mention.text,
            title=mention.title,
            language_hint=mention.language,
            author_handle=mention.author.handle,
            author_name=mention.author.name,
            url=mention.url,
            platform=mention.platform,
            published_at=mention.published_at,
            brand_hint=mention.brand,
            author_is_brand=mention.author_is_brand,
        )
        # The primary brand: the connector's, else the first configured brand that matched.
        brand = mention.brand or (found.brands[0] if found.brands else None)
        return mention.model_copy(update={**vars(found), "brand": brand})

    def keeps(self, mention: Mention) -> bool:
        """False for a mention that matched no brand, when brands are configured and dropping is on."""
        return bool(mention.brands) or not (self.drop_unmatched and self.brands)
