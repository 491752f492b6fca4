"""A deterministic, synthetic stream of social mentions: the data of Passaparola's demo.

Every text is written by us (templates and slot fillers in :mod:`passaparola.demo.phrases`);
brands, people, accounts and sites are invented and every URL is on an ``example`` domain.
The stories the dashboards and enrichment must bring out (checked by
``tests/passaparola/demo/test_generator.py``):

* **Three brands.** ``aurora`` (Caffè Aurora, an Italian coffee roaster with bars and a
  delivery app: a client), ``boreale`` (Miscela Boreale, its supermarket competitor, for
  share of voice) and ``spinlane`` (an English bike-sharing service, a second client).
  About 60 % Italian, 35 % English, a few Spanish, French and German texts; ``language``
  is left empty for enrichment to detect.
* **Intents.** Complaints, questions, suggestions, purchase intent, praise and chatter in
  both main languages, plus promo/contest noise and copy-pasted reposts.
* **Uneven customer care.** The clients answer purchase talk most and fastest, praise half
  the time, questions a third, complaints a quarter and slowly, suggestions hardly ever;
  the competitor answers complaints far more often (``_CLIENT_CARE``, ``_COMPETITOR_CARE``).
* **A negative spike.** About 22 hours before the end, Caffè Aurora's app charges orders
  twice for two and a half hours: a burst of mostly Italian complaints, a statement from
  the brand, angry comments under it, news articles and a resolution post hours later.
* **Rhythm and threads.** Outside the spike, volume follows the local day and week. Users
  comment under the brands' posts and discuss among themselves; ``thread_id`` and
  ``parent_id`` follow :class:`~core.schema.Mention`, and brand replies come from the
  brand's own accounts (``author_is_brand``).

Determinism: a planning pass driven by ``random.Random(seed)`` alone fixes texts, authors
and ids from (seed, hours, scale); a second pass places the plan in time before the
anchor. A later run thus rewrites the same documents with fresh timestamps.
:func:`generate_with_truth` also returns what is true about the stream (:class:`DemoTruth`).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.schema import Author, Engagement, Mention, mention_id
from core.settings import Brand
from passaparola.demo import phrases as P

INTENTS: tuple[str, ...] = ("complaint", "question", "suggestion", "purchase", "praise", "other")
SOURCE = "demo"

DEMO_BRANDS: list[Brand] = [
    Brand(
        name="aurora",
        query='"caffè aurora" OR "caffe aurora" OR #caffeaurora OR @caffeaurora OR @aurora_aiuto',
        own_accounts={
            "x": ["caffeaurora", "aurora_aiuto"],
            "mastodon": ["caffeaurora@social.example"],
            "bluesky": ["caffeaurora.example.com"],
            "facebook": ["CaffeAurora"],
            "youtube": ["CaffeAuroraTV"],
            "wordpress": ["caffeaurora"],
        },
    ),
    Brand(
        name="boreale",
        query='"miscela boreale" OR #miscelaboreale OR @miscelaboreale',
        own_accounts={"x": ["miscelaboreale"], "facebook": ["MiscelaBoreale"], "youtube": ["MiscelaBorealeOfficial"]},
        competitor=True,
    ),
    Brand(
        name="spinlane",
        query="spinlane OR #spinlane OR @spinlane OR @spinlane_help",
        own_accounts={
            "x": ["spinlane", "spinlane_help"],
            "mastodon": ["spinlane@mastodon.example"],
            "bluesky": ["spinlane.example.com"],
            "facebook": ["SpinlaneBikes"],
            "youtube": ["SpinlaneBikes"],
            "reddit": ["Spinlane_Official"],
        },
    ),
]
_BRANDS = {brand.name: brand for brand in DEMO_BRANDS}
SPIKE_BRAND = "aurora"


@dataclass(frozen=True)
class DemoTruth:
    language: dict[str, str]  # mention id -> true language code ("it", "en", "es", ...)
    intent: dict[str, str]  # mention id -> intent of user mentions (complaint/question/suggestion/purchase/praise/other)
    promo: set[str]  # mention ids that are promo/contest noise
    duplicates: set[str]  # mention ids that are copies of an earlier text
    spike: tuple[datetime, datetime, str]  # (start, end, brand) of the negative burst
    answered: dict[str, str]  # user mention id -> id of the brand reply that answers it


# ---------------------------------------------------------------------------------------
# How each brand behaves. Reply care: intent -> (reply rate, weights of the speed buckets
# seconds / minutes / hours / late), the story the "response rate by intent" panel tells.
# ---------------------------------------------------------------------------------------

_CLIENT_CARE = {
    "purchase": (0.80, (0.06, 0.76, 0.15, 0.03)),
    "praise": (0.50, (0.02, 0.38, 0.50, 0.10)),
    "question": (0.35, (0.03, 0.37, 0.45, 0.15)),
    "complaint": (0.25, (0.00, 0.08, 0.72, 0.20)),
    "suggestion": (0.10, (0.00, 0.05, 0.55, 0.40)),
    "other": (0.03, (0.00, 0.50, 0.50, 0.00)),
}
_COMPETITOR_CARE = {
    "purchase": (0.55, (0.02, 0.50, 0.45, 0.03)),
    "praise": (0.30, (0.00, 0.30, 0.60, 0.10)),
    "question": (0.45, (0.02, 0.45, 0.48, 0.05)),
    "complaint": (0.45, (0.00, 0.45, 0.50, 0.05)),
    "suggestion": (0.15, (0.00, 0.10, 0.70, 0.20)),
    "other": (0.02, (0.00, 0.50, 0.50, 0.00)),
}


@dataclass(frozen=True)
class _Profile:
    name: str
    display: str  # how people write the name
    names: tuple[str, ...]  # written forms that match the brand query
    short: tuple[str, ...]  # forms used inside the brand's own threads
    hashtags: tuple[str, ...]
    home_lang: str
    timezone: str
    category: str  # "coffee" or "bike": picks the short texts in other languages
    users: int  # organic user mentions over 72 hours at scale 1
    langs: dict[str, float]
    posts_per_day: dict[str, float]
    followers: dict[str, int | None]
    care: dict[str, tuple[float, tuple[float, float, float, float]]]
    promo_codes: tuple[str, ...]


_PROFILES: dict[str, _Profile] = {
    "aurora": _Profile(
        name="aurora", display="Caffè Aurora", names=("Caffè Aurora", "Caffè Aurora", "caffè aurora", "Caffe Aurora"),
        short=("Aurora",), hashtags=("#CaffeAurora", "#caffeaurora"), home_lang="it", timezone="Europe/Rome",
        category="coffee", users=1450, langs={"it": 0.86, "en": 0.10, "es": 0.02, "fr": 0.012, "de": 0.008},
        posts_per_day={"x": 3, "facebook": 2, "youtube": 0.7, "mastodon": 1, "bluesky": 1.3, "wordpress": 0.4},
        followers={"x": 18400, "mastodon": 2100, "bluesky": 5300},
        care=_CLIENT_CARE, promo_codes=("AURORA20", "CAFFE15", "ALBA10", "MOKA25"),
    ),
    "boreale": _Profile(
        name="boreale", display="Miscela Boreale", names=("Miscela Boreale", "miscela boreale", "Miscela Boreale"),
        short=("Boreale",), hashtags=("#MiscelaBoreale", "#miscelaboreale"), home_lang="it", timezone="Europe/Rome",
        category="coffee", users=430, langs={"it": 0.93, "en": 0.04, "es": 0.015, "fr": 0.01, "de": 0.005},
        posts_per_day={"x": 1.5, "facebook": 1.5, "youtube": 0.35},
        followers={"x": 9100},
        care=_COMPETITOR_CARE, promo_codes=("BOREALE20", "CREMA15"),
    ),
    "spinlane": _Profile(
        name="spinlane", display="Spinlane", names=("Spinlane", "Spinlane", "spinlane"),
        short=("Spinlane",), hashtags=("#Spinlane", "#spinlane"), home_lang="en", timezone="Europe/London",
        category="bike", users=1000, langs={"en": 0.88, "it": 0.06, "es": 0.025, "fr": 0.02, "de": 0.015},
        posts_per_day={"x": 3, "facebook": 1.5, "youtube": 0.5, "mastodon": 1, "bluesky": 1.5},
        followers={"x": 31200, "mastodon": 4400, "bluesky": 12800},
        care=_CLIENT_CARE, promo_codes=("SPIN15", "RIDE20", "PEDAL10"),
    ),
}

# Where people write, per language (weights). Hacker News is English tech talk; facebook and
# youtube are mostly comments on the brands' own pages and videos; feed is news articles.
_PLATFORM_MIX: dict[str, dict[str, float]] = {
    "it": {"x": 18, "facebook": 24, "youtube": 10, "mastodon": 7, "bluesky": 8, "reddit": 6, "wordpress": 10, "disqus": 9,
           "feed": 4},
    "en": {"x": 20, "facebook": 10, "youtube": 8, "mastodon": 10, "bluesky": 13, "reddit": 16, "hackernews": 10,
           "wordpress": 5, "disqus": 5, "feed": 3},
    "other": {"x": 30, "facebook": 27, "youtube": 20, "mastodon": 10, "bluesky": 13},
}
_INTENT_MIX = {"complaint": 22, "question": 17, "suggestion": 8, "purchase": 12, "praise": 21, "other": 20}
_PROMO_RATE = 0.025
_PROMO_PLATFORMS = ("x", "facebook", "mastodon", "bluesky", "youtube")

# Probability that a user mention is a comment under a brand post / inside a discussion.
_ON_BRAND_POST = {"facebook": 0.85, "youtube": 0.9, "x": 0.2, "mastodon": 0.15, "bluesky": 0.2, "wordpress": 0.12}
_IN_DISCUSSION = {"reddit": 0.65, "hackernews": 0.8, "wordpress": 0.7, "disqus": 0.35}
_AGREE_RATE = 0.12  # of comments: "anche a me!" under another user's complaint or praise

_NO_CARE = ("feed", "hackernews", "disqus")  # nobody answers as the brand there
_EMOJI_OK = frozenset({"x", "mastodon", "bluesky", "facebook", "youtube", "reddit", "disqus", "wordpress"})
_HASHTAG_OK = frozenset({"x", "mastodon", "bluesky", "facebook", "youtube"})
_CASUAL = frozenset(_EMOJI_OK)
_MENTION_PREFIX = ("x", "mastodon", "bluesky", "youtube")  # replies start with @handle there
_VIEWS = ("x",)  # platforms that report views of a post (youtube: of the video only)

# Daily rhythm by local hour and weekly by weekday (0 is Monday): quiet nights, evening peak.
_DAILY = (0.25, 0.15, 0.10, 0.08, 0.08, 0.15, 0.35, 0.70, 1.00, 1.00, 0.90, 0.90,
          1.00, 1.05, 0.90, 0.85, 0.90, 1.00, 1.15, 1.30, 1.45, 1.50, 1.20, 0.60)
_WEEKLY = (1.00, 0.95, 0.95, 1.00, 1.05, 1.20, 1.10)

_SPIKE_MENTIONS = 240  # at scale 1
_SPIKE_LANGS = {"it": 0.9, "en": 0.1}
_SPIKE_PLATFORMS = {"x": 40, "facebook": 30, "bluesky": 10, "mastodon": 8, "reddit": 7, "disqus": 5}
_NIGHT = (1, 7)  # local hours when almost nobody answers anything
_ROOT_MARGIN_S = 600  # roots end at least this long before the anchor, so answers fit


def _spike_window(anchor: datetime, hours: int) -> tuple[datetime, datetime]:
    before = min(22.0, hours * 0.6)
    length = min(2.5, hours * 0.1)
    start = anchor - timedelta(hours=before)
    return start, start + timedelta(hours=length)


# ---------------------------------------------------------------------------------------
# The plan: what is said, by whom, where, answering what. No clock in here.
# ---------------------------------------------------------------------------------------


@dataclass
class _Item:
    n: int  # position in the plan; parents always come before their children
    k: int  # per-platform counter, the native id's number
    platform: str
    native_id: str
    id: str
    brand: str
    lang: str
    author: Author
    text: str = ""
    title: str | None = None
    url: str | None = None
    intent: str | None = None  # user mentions only
    is_brand: bool = False
    parent: int | None = None
    root: int | None = None  # None: the item is its own root
    timing: tuple = ()
    reserve_s: float = 0.0  # keep this much time free before the anchor: a reply follows
    lag_s: float = 0.0
    likes: int = 0
    shares: int = 0
    views: int | None = None
    extra_replies: int = 0
    promo: bool = False
    chain: bool = False  # promo text that people copy around
    copy_of: int | None = None
    reply: int | None = None
    incident: bool = False
    first_name: str = ""
    wake_u: float = 0.0  # where in the morning a post written "at night" lands (see _Clock.awake)


@dataclass
class _Person:
    author: Author
    first: str


class _Slots(dict):
    """Fills ``{slot}`` names lazily from tables, once per text, so a slot reads the same twice."""

    _PRODUCT = re.compile(r"product(?:_(art|del|al|bare))?(\d?)")
    _PREPS = {
        "del": {"il": "del", "lo": "dello", "la": "della", "l'": "dell'", "i": "dei", "gli": "degli", "le": "delle"},
        "al": {"il": "al", "lo": "allo", "la": "alla", "l'": "all'", "i": "ai", "gli": "agli", "le": "alle"},
    }

    def __init__(self, rng: random.Random, tables: list[dict[str, list[str]]], computed: dict[str, Callable[[], str]],
                 elongate: bool):
        super().__init__()
        self.rng, self.tables, self.computed, self.elongate = rng, tables, computed, elongate
        self.raw: dict[str, str] = {}

    def __missing__(self, key: str) -> str:
        if key.endswith("_cap"):
            value = _capitalise(self[key[:-4]])
        elif match := self._PRODUCT.fullmatch(key):
            value = self._product(match.group(1), match.group(2))
        else:
            value = self._pick(key)
        self[key] = value
        return value

    def _pick(self, key: str) -> str:
        base = key.rstrip("0123456789")
        if base in self.computed:
            value = self.computed[base]()
        else:
            options = self._options(base)
            if base != key:  # {issue2}: a second value, different from {issue}
                self[base]
                options = [o for o in options if o != self.raw.get(base)] or options
            value = self.rng.choice(options)
            self.raw[key] = value
        if "{" in value:
            value = value.format_map(self)
        if self.elongate and base in ("wow", "ugh") and self.rng.random() < 0.3:
            value = value + value[-1] * self.rng.randint(2, 4)  # "bellissimooo"
        return value

    def _options(self, name: str) -> list[str]:
        for table in self.tables:
            if name in table:
                return table[name]
        raise KeyError(f"no slot table for {{{name}}}")

    def _product(self, form: str | None, digit: str) -> str:
        raw_key = "_product" + digit
        if raw_key not in self.raw:
            options = self._options("product")
            if digit:
                self._product(None, "")
                options = [o for o in options if o != self.raw["_product"]] or options
            self.raw[raw_key] = self.rng.choice(options)
        raw = self.raw[raw_key]
        if "|" not in raw:  # English: "the e-bikes"
            return raw.removeprefix("the ") if form == "bare" else raw
        article, noun = raw.split("|")
        if form == "bare":
            return noun
        if form in self._PREPS:
            article = self._PREPS[form][article]
        return article + noun if article.endswith("'") else f"{article} {noun}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    words = text.split(" ", 2)
    first = words[0]
    if first in ("I", "I'm", "I've", "I'd", "I'll") or (len(first) > 1 and first.isupper()):
        return text
    if len(words) > 1 and first[:1].isupper() and words[1][:1].isupper():  # "Caffè Aurora": a name
        return text
    return text[:1].lower() + text[1:]


def _strip_emoji(text: str) -> str:
    return "".join(c for c in text if ord(c) < 0x2600 and c != "\u200d")


def _tidy(text: str, lang: str) -> str:
    text = re.sub(r" {2,}", " ", text)
    if lang != "fr":  # French keeps its space before ? and !
        text = re.sub(r" +([,.!?;:])", r"\1", text)
    return text.strip()


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum())


def _slug(text: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c if c.isascii() and c.isalnum() else "-" for c in text)
    return re.sub(r"-{2,}", "-", text).strip("-")[:limit].rstrip("-") or "post"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _token(*parts: object, length: int = 11) -> str:
    """A short stable token (video ids, bluesky keys) derived from the plan, not from chance."""
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).hexdigest()[:length]


class _People:
    """Fictional users, a pool per language and platform; a few post a lot, most once."""

    _POOL = {"it": 1100, "en": 650, "es": 40, "fr": 30, "de": 25}

    def __init__(self, rng: random.Random, scale: float):
        self.rng, self.scale = rng, scale
        self.pools: dict[tuple[str, str], tuple[list[_Person], list[float]]] = {}
        self.handles: dict[str, set[str]] = {}
        self.serial: dict[str, int] = {}
        self.brand_authors: dict[tuple[str, str], Author] = {}

    def pick(self, lang: str, platform: str, avoid: Author | None = None) -> _Person:
        people, cumulative = self._pool(lang, platform)
        for _ in range(5):
            person = self.rng.choices(people, cum_weights=cumulative)[0]
            if avoid is None or person.author.id != avoid.id:
                return person
        return person

    def tag(self, lang: str, platform: str) -> str:
        """An @mention of a friend, as people tag them under contests."""
        person = self.pick(lang if lang in self._POOL else "en", platform)
        handle = person.author.handle
        if platform == "facebook" or not handle:
            return person.author.name or person.first
        return "@" + handle

    def brand(self, brand: str, platform: str, handle: str, followers: int | None) -> Author:
        key = (brand, handle)
        if key not in self.brand_authors:
            names = P.BRAND_ACCOUNTS[brand]
            self.brand_authors[key] = Author(
                id=self._native_author_id(platform, handle), handle=handle, name=names.get(handle, names["_"]),
                followers=followers
            )
        return self.brand_authors[key]

    def _pool(self, lang: str, platform: str) -> tuple[list[_Person], list[float]]:
        key = (lang, platform)
        if key not in self.pools:
            mix = _PLATFORM_MIX["other" if lang not in ("it", "en") else lang]
            share = mix.get(platform, 5) / sum(mix.values())
            size = max(12, round(self._POOL[lang] * share * self.scale**0.8))
            people = [self._person(lang, platform) for _ in range(size)]
            # Zipf-like activity: a handful of regulars, a long tail of one-off posters.
            cumulative, total = [], 0.0
            for rank in range(size):
                total += 1.0 / (rank + 1) ** 0.55
                cumulative.append(total)
            self.pools[key] = (people, cumulative)
        return self.pools[key]

    def _person(self, lang: str, platform: str) -> _Person:
        firsts, lasts = P.NAMES[lang]
        first, last = self.rng.choice(firsts), self.rng.choice(lasts)
        handle = self._handle(lang, platform, first, last)
        name: str | None = f"{first} {last}"
        if platform in ("reddit", "hackernews"):
            name = None
        elif platform in ("wordpress", "disqus") and self.rng.random() < 0.5:
            name = f"{first} {last[0]}."
        elif platform in ("x", "mastodon", "bluesky") and self.rng.random() < 0.2:
            name = f"{first} {self.rng.choice(('☕', '🚲', '🌻', '✨', '🐈', '📚', '🌊'))}"
        followers = None
        if platform in ("x", "mastodon", "bluesky"):
            followers = self._followers()
        author = Author(id=self._native_author_id(platform, handle or f"{first}{last}"), handle=handle, name=name,
                        followers=followers)
        return _Person(author, first)

    def _followers(self) -> int:
        if self.rng.random() < 0.015:  # the occasional influencer
            return int(40_000 * 15 ** self.rng.random())
        return int(self.rng.lognormvariate(5.0, 1.4))

    def _handle(self, lang: str, platform: str, first: str, last: str) -> str | None:
        if platform in ("facebook", "wordpress"):
            return None
        given, family = _ascii(first).lower(), _ascii(last).lower()
        word = self.rng.choice(P.HANDLE_WORDS[lang])
        year = self.rng.randint(70, 99) if self.rng.random() < 0.5 else self.rng.randint(0, 9999)
        styles = [f"{given}_{family}", f"{given}{family}{year}", f"{given[0]}_{family}", f"{word}_{given}",
                  f"{given}.{family[0]}", f"{family}{given[0]}{year}"]
        handle = self.rng.choice(styles)
        if platform == "hackernews":
            handle = self.rng.choice([f"{given[0]}{family}", f"{given}{family[:3]}", f"throwaway{year}", f"{word}{year}"])
        elif platform == "reddit":
            word, given_cap, family_cap = _capitalise(word), _capitalise(given), _capitalise(family)
            handle = self.rng.choice([f"{word}_{given_cap}{year}", f"{given_cap}{family_cap}", f"throwaway_{year}_{given}"])
        if platform in ("x", "mastodon"):
            handle = handle.replace(".", "_")
        if platform == "bluesky":
            handle = handle.replace("_", "-").replace(".", "-")
        taken = self.handles.setdefault(platform, set())
        base, n = handle, 1
        while handle in taken:
            n += 1
            handle = f"{base}{n}"
        taken.add(handle)
        if platform == "mastodon":
            return f"{handle}@{self.rng.choice(P.MASTODON_INSTANCES)}"
        if platform == "bluesky":
            return f"{handle}.bsky.example"
        return handle

    def _native_author_id(self, platform: str, handle: str) -> str:
        # Ids in each platform's own style, numbered per platform.
        n = self.serial[platform] = self.serial.get(platform, 0) + 1
        if platform == "x":
            return str(1_100_000_000 + n * 7_919)
        if platform == "mastodon":
            return str(109_000_000_000 + n * 97)
        if platform == "bluesky":
            return "did:plc:" + _token("bsky", n, length=24)
        if platform == "reddit":
            return "t2_" + _b36(1_000_000 + n * 37)
        if platform == "hackernews":
            return handle
        if platform == "facebook":
            return str(100_000_000_000_000 + n * 131)
        if platform == "youtube":
            return "UC" + _token("yt", n, length=22)
        if platform == "disqus":
            return str(200_000_000 + n * 17)
        return f"{platform}-{n}"


class _Planner:
    """Builds the whole stream as a list of :class:`_Item`, in an order where parents come first."""

    def __init__(self, seed: int, hours: int, scale: float):
        self.rng = random.Random(seed)
        self.hours, self.scale = hours, scale
        self.items: list[_Item] = []
        self.counters: dict[str, int] = {}
        self.seen: set[str] = set()
        self.prints: set[str] = {""}  # fingerprints of the texts so far ("": too short to matter)
        self.people = _People(self.rng, scale)
        self.brand_posts: dict[tuple[str, str], list[int]] = {}
        self.post_weight: dict[int, float] = {}
        self.discussions: dict[tuple[str, str, str], list[int]] = {}
        self.agreeable: dict[int, list[int]] = {}
        self.statements: dict[str, int] = {}
        self._last_template = ""
        self.spike_length_s = min(2.5, hours * 0.1) * 3600  # as in _spike_window

    # -- the plan, step by step ---------------------------------------------------------

    def plan(self) -> list[_Item]:
        for profile in _PROFILES.values():
            self._brand_posts(profile)
        self._incident_posts()
        for profile in _PROFILES.values():
            for _ in range(max(1, round(profile.users * self.scale * self.hours / 72))):
                self._organic(profile)
        self._incident()
        self._copies()
        self._replies()
        self._count_replies()
        return self.items

    def _brand_posts(self, profile: _Profile) -> None:
        brand = _BRANDS[profile.name]
        material = P.BRAND_POSTS[profile.name]
        for platform, per_day in profile.posts_per_day.items():
            if platform == "wordpress" and "blog" not in material:
                continue
            for _ in range(max(1, round(per_day * self.hours / 24))):
                handle = brand.own_accounts[platform][0]
                author = self.people.brand(profile.name, platform, handle, profile.followers.get(platform))
                title, text = self._unique(lambda: self._brand_post_text(profile, platform))
                item = self._add(platform=platform, brand=profile.name, lang=profile.home_lang, author=author, title=title,
                                 text=text, is_brand=True, timing=("rhythm", self.rng.random()), reserve_s=3600)
                self._engage(item, author.followers or 5000, boost=3.0)
                if platform == "youtube":
                    item.views = int(self.rng.paretovariate(1.1) * 900)
                self.brand_posts.setdefault((profile.name, platform), []).append(item.n)
                self.post_weight[item.n] = self.rng.paretovariate(1.5)

    def _brand_post_text(self, profile: _Profile, platform: str) -> tuple[str | None, str]:
        material = P.BRAND_POSTS[profile.name]
        slots = self._slots(profile.home_lang, profile, platform, in_thread=True)
        if platform == "youtube":
            title, text = self.rng.choice(material["videos"])
            return title.format_map(slots), text.format_map(slots)
        if platform == "wordpress":
            title, text = self.rng.choice(material["blog"])
            return title, text
        text = self.rng.choice(material["posts"]).format_map(slots)
        if platform in _HASHTAG_OK and self.rng.random() < 0.5:
            text += " " + self.rng.choice(profile.hashtags)
        return None, text

    def _incident_posts(self) -> None:
        """The client's statement during the spike and its resolution post hours later."""
        brand = _BRANDS[SPIKE_BRAND]
        for platform, at in (("x", 0.30), ("facebook", 0.34)):
            followers = _PROFILES[SPIKE_BRAND].followers.get(platform)
            author = self.people.brand(SPIKE_BRAND, platform, brand.own_accounts[platform][0], followers)
            statement = self._add(platform=platform, brand=SPIKE_BRAND, lang="it", author=author,
                                  text=P.INCIDENT_POSTS[f"{platform}_statement"], is_brand=True, timing=("spike_at", at))
            self._engage(statement, 20_000, boost=8.0)
            self.statements[platform] = statement.n
            resolution = self._add(platform=platform, brand=SPIKE_BRAND, lang="it", author=author,
                                   text=P.INCIDENT_POSTS[f"{platform}_resolution"], is_brand=True,
                                   timing=("after", statement.n, self.rng.uniform(5.5, 7) * 3600, 0.6), reserve_s=3600)
            self._engage(resolution, 20_000, boost=4.0)
            self.brand_posts.setdefault((SPIKE_BRAND, platform), []).append(resolution.n)
            self.post_weight[resolution.n] = 2.0
        for lang, title, text in P.INCIDENT_ARTICLES:
            publication = self.rng.choice(P.PUBLICATIONS[lang])
            self._add(platform="feed", brand=SPIKE_BRAND, lang=lang, author=self._publication(publication), title=title,
                      text=f"{title}. {text}", intent="other",
                      timing=("after", self.statements["x"], self.rng.uniform(2.5, 6) * 3600, 0.5))

    def _organic(self, profile: _Profile) -> None:
        lang = self._weighted(profile.langs)
        platform = self._platform(profile, lang)
        if lang in ("it", "en") and self.rng.random() < _PROMO_RATE:
            self._promo(profile, lang, platform if platform in _PROMO_PLATFORMS else "x")
            return
        if platform == "feed":
            self._article(profile, lang)
            return
        intents = {i: w for i, w in _INTENT_MIX.items() if lang in ("it", "en") or i != "suggestion"}
        intent = self._weighted(intents)
        posts = self.brand_posts.get((profile.name, platform))
        if posts and self.rng.random() < _ON_BRAND_POST.get(platform, 0):
            root = self.rng.choices(posts, weights=[self.post_weight[p] for p in posts])[0]
            self._comment(profile, lang, platform, intent, root, delay_median_s=40 * 60)
            return
        talk = self.discussions.get((profile.name, platform, lang))
        if talk and self.rng.random() < _IN_DISCUSSION.get(platform, 0):
            self._comment(profile, lang, platform, intent, self.rng.choice(talk), delay_median_s=25 * 60)
            return
        self._root(profile, lang, platform, intent)

    def _platform(self, profile: _Profile, lang: str) -> str:
        mix = dict(_PLATFORM_MIX[lang if lang in ("it", "en") else "other"])
        if profile.name not in P.HACKERNEWS:
            mix.pop("hackernews", None)
        return self._weighted(mix)

    def _root(self, profile: _Profile, lang: str, platform: str, intent: str) -> _Item:
        person = self.people.pick(lang, platform)
        title, text, intent = self._unique_root(profile, lang, platform, intent)
        item = self._add(platform=platform, brand=profile.name, lang=lang, author=person.author, title=title, text=text,
                         intent=intent, timing=("rhythm", self.rng.random()), first_name=person.first)
        self._engage(item, person.author.followers)
        if platform in _IN_DISCUSSION:
            self.discussions.setdefault((profile.name, platform, lang), []).append(item.n)
        return item

    def _unique_root(self, profile: _Profile, lang: str, platform: str, intent: str) -> tuple[str | None, str, str]:
        if platform == "hackernews":
            title, text = self._unique(lambda: self._hn_story(profile))
            return title, text, "question" if title.startswith("Ask HN") else "other"
        if platform in ("reddit", "wordpress"):
            def make() -> tuple[str | None, str]:
                slots = self._slots(lang, profile, platform, in_thread=False)
                title = self.rng.choice(P.TITLES[lang][intent]).format_map(slots)
                body = self._user_text(profile, lang, platform, intent, in_thread=False)
                if platform == "wordpress":  # a blog post: a little longer, two different thoughts
                    more = self._user_text(profile, lang, platform, intent, False, avoid=self._last_template)
                    body = f"{body}{'.' if body[-1].isalnum() else ''} {more}"
                return title, body
            if lang in P.TITLES:
                title, text = self._unique(make, strict=True)
                return title, text, intent
        def post() -> tuple[None, str]:
            return None, self._ensure_brand(profile, self._user_text(profile, lang, platform, intent, in_thread=False))

        _, text = self._unique(post, strict=True)
        return None, text, intent

    def _hn_story(self, profile: _Profile) -> tuple[str, str]:
        material = P.HACKERNEWS[profile.name]
        slots = self._slots("en", profile, "hackernews", in_thread=False)
        title = self.rng.choice(material["titles"]).format_map(slots)
        text = ""
        if title.startswith(("Ask HN", "Show HN")):
            text = self.rng.choice(material["question"]).format_map(slots)
        return title, text

    def _comment(self, profile: _Profile, lang: str, platform: str, intent: str, root: int, delay_median_s: float) -> _Item:
        parent = root
        candidates = [c for c in self.agreeable.get(root, []) if self.items[c].lang == lang]
        agreeing = lang in P.AGREE and candidates and self.rng.random() < _AGREE_RATE
        if agreeing:
            parent = self.rng.choice(candidates)
            intent = self.items[parent].intent or intent
        person = self.people.pick(lang, platform, avoid=self.items[parent].author)
        if agreeing:
            _, text = self._unique(lambda: (None, self._agree_text(profile, lang, platform, intent, self.items[parent])))
        else:
            _, text = self._unique(lambda: (None, self._user_text(profile, lang, platform, intent, in_thread=True)), strict=True)
        delay = min(36 * 3600, delay_median_s * math.exp(self.rng.gauss(0, 1.2)))
        item = self._add(platform=platform, brand=profile.name, lang=lang, author=person.author, text=text, intent=intent,
                         parent=parent, root=root, timing=("after", parent, delay, self.rng.uniform(0.2, 0.7)),
                         first_name=person.first)
        self._engage(item, person.author.followers, boost=0.5)
        if intent in ("complaint", "praise") and not agreeing:
            self.agreeable.setdefault(root, []).append(item.n)
        return item

    def _article(self, profile: _Profile, lang: str) -> None:
        lang = lang if lang in P.PUBLICATIONS else profile.home_lang

        def make() -> tuple[str, str]:
            slots = self._slots(lang, profile, "feed", in_thread=False)
            title = _capitalise(f"{profile.display} {slots['news']}")
            body = P.ARTICLE_BODY[lang]
            return title, f"{title}. {self.rng.choice(body['lead'])} {self.rng.choice(body['close'])}"

        title, text = self._unique(make)
        self._add(platform="feed", brand=profile.name, lang=lang, author=self._publication(self.rng.choice(P.PUBLICATIONS[lang])),
                  title=title, text=text, intent="other", timing=("rhythm", self.rng.random()))

    def _publication(self, name: str) -> Author:
        return Author(id=_slug(name), handle=None, name=name)

    def _promo(self, profile: _Profile, lang: str, platform: str) -> None:
        person = self.people.pick(lang, platform)
        index = self.rng.randrange(len(P.PROMO[lang]))
        template = P.PROMO[lang][index]

        def make() -> tuple[None, str]:
            slots = self._slots(lang, profile, platform, in_thread=False)
            return None, self._ensure_brand(profile, template.format_map(slots))

        _, text = self._unique(make)
        item = self._add(platform=platform, brand=profile.name, lang=lang, author=person.author, text=text, intent="other",
                         promo=True, chain=index < len(P.PROMO[lang]) - 1, timing=("rhythm", self.rng.random()))
        self._engage(item, person.author.followers, boost=1.5)

    def _incident(self) -> None:
        """The negative burst: Caffè Aurora's app charges twice, people are angry."""
        profile = _PROFILES[SPIKE_BRAND]
        for _ in range(round(_SPIKE_MENTIONS * self.scale)):
            lang = self._weighted(_SPIKE_LANGS)
            platform = self._weighted(_SPIKE_PLATFORMS)
            intent = "complaint" if self.rng.random() < 0.85 else "question"
            person = self.people.pick(lang, platform)
            statement = self.statements.get(platform)
            on_statement = statement is not None and self.rng.random() < (0.8 if platform == "facebook" else 0.3)
            _, text = self._unique(lambda: (None, self._incident_text(profile, lang, platform, intent, on_statement)),
                                   strict=True)
            title = None
            if platform == "reddit":
                title = self.rng.choice(P.TITLES[lang]["complaint"]).format_map(self._slots(lang, profile, platform, False))
            if on_statement:
                delay = self.rng.random() * (1 - 0.34) * self.spike_length_s
                timing = ("after", statement, delay, self.rng.uniform(0.2, 0.7))
            else:
                timing = ("spike", self.rng.random())
            item = self._add(platform=platform, brand=SPIKE_BRAND, lang=lang, author=person.author, title=title, text=text,
                             intent=intent, parent=statement if on_statement else None, root=statement if on_statement else None,
                             timing=timing, incident=True, first_name=person.first)
            self._engage(item, person.author.followers, boost=2.0)

    def _incident_text(self, profile: _Profile, lang: str, platform: str, intent: str, in_thread: bool) -> str:
        material = P.INCIDENT[lang]
        slots = self._slots(lang, profile, platform, in_thread, extra={k: material[k] for k in ("issue", "amount", "wait")})
        if intent == "complaint" and self.rng.random() < 0.4:
            template = self.rng.choice(P.TEMPLATES[lang]["complaint"])  # generic anger, incident facts
        else:
            template = self.rng.choice(material[intent])
        text = template.format_map(slots)
        if platform in _HASHTAG_OK and self.rng.random() < 0.3:
            text += " " + self.rng.choice(material["tags"])
        text = self._style(text, lang, intent, platform)
        return text if in_thread else self._ensure_brand(profile, text)

    def _copies(self) -> None:
        """Copy-paste: contest texts shared by many accounts, and the spike's viral complaints."""
        originals = [it for it in self.items if it.chain]
        viral = [it for it in self.items if it.incident and it.platform == "x" and it.parent is None and it.intent == "complaint"]
        viral = self.rng.sample(viral, min(2, len(viral)))
        for original in originals + viral:
            copies = min(8, int(self.rng.paretovariate(1.2)) - 1) if original.promo else self.rng.randint(4, 7)
            for _ in range(copies):
                self._copy(original)

    def _copy(self, original: _Item) -> None:
        platform = original.platform if self.rng.random() < 0.75 or not original.promo else self.rng.choice(_PROMO_PLATFORMS)
        person = self.people.pick(original.lang, platform, avoid=original.author)
        text = original.text
        if self.rng.random() < 0.3:  # near duplicate: the same text with a tag or two added
            extra = (self.people.tag(original.lang, platform) if original.promo
                     else self.rng.choice(P.INCIDENT[original.lang]["tags"]))
            text = self._register(f"{text} {extra}")
        delay = (180 * 360 ** self.rng.random()) if original.promo else (60 * 40 ** self.rng.random())
        item = self._add(platform=platform, brand=original.brand, lang=original.lang, author=person.author, text=text,
                         intent=original.intent, promo=original.promo, copy_of=original.n, incident=original.incident,
                         timing=("after", original.n, delay, self.rng.uniform(0.2, 0.7)), first_name=person.first)
        self._engage(item, person.author.followers)

    def _replies(self) -> None:
        """The brands answer some user mentions, unevenly by intent (see ``_CLIENT_CARE``)."""
        for item in list(self.items):
            if item.is_brand or item.intent is None or item.promo or item.copy_of is not None:
                continue
            brand = _BRANDS[item.brand]
            if item.platform in _NO_CARE or item.platform not in brand.own_accounts:
                continue
            rate, speeds = _PROFILES[item.brand].care[item.intent]
            if self.rng.random() >= rate:
                continue
            self._reply(item, self._reply_delay(speeds))

    def _reply_delay(self, speeds: tuple[float, float, float, float]) -> float:
        bucket = self.rng.choices(range(4), weights=speeds)[0]
        u = self.rng.random()
        if bucket == 0:
            return 4 + 51 * u  # seconds: a care team watching the feed live
        if bucket == 1:
            return 120 * 30**u  # 2 to 60 minutes
        if bucket == 2:
            return 3600 * 12**u  # 1 to 12 hours
        return 3600 * (24 + 24 * u)  # the next day or the one after

    def _reply(self, item: _Item, delay: float) -> None:
        brand = _BRANDS[item.brand]
        accounts = brand.own_accounts[item.platform]
        # Care accounts (aurora_aiuto, spinlane_help) answer most questions on x.
        handle = accounts[-1] if len(accounts) > 1 and self.rng.random() < 0.7 else accounts[0]
        author = self.people.brand(item.brand, item.platform, handle, _PROFILES[item.brand].followers.get(item.platform))
        _, text = self._unique(lambda: (None, self._reply_text(item)))
        root = item.root if item.root is not None else item.n
        reply = self._add(platform=item.platform, brand=item.brand, lang=item.lang, author=author, text=text, is_brand=True,
                          parent=item.n, root=root, timing=("after", item.n, delay, self.rng.uniform(0.2, 0.7)))
        reply.likes = int(self.rng.paretovariate(1.6)) - 1
        item.reply, item.reserve_s = reply.n, delay

    def _reply_text(self, item: _Item) -> str:
        lang = item.lang
        table = P.REPLIES[lang]
        key = "incident" if item.incident and "incident" in table and item.intent == "complaint" else item.intent
        templates = table.get(key) or table["_"]
        computed = {"first": lambda: item.first_name}
        if lang not in P.REPLY_SLOTS[item.brand]:  # no sign-off written in this language: an emoji says it
            computed["sign"] = lambda: "☕" if _PROFILES[item.brand].category == "coffee" else "🚲"
        slot_lang = lang if lang in P.REPLY_SLOTS[item.brand] else _PROFILES[item.brand].home_lang
        slots = _Slots(self.rng, [P.REPLY_SLOTS[item.brand][slot_lang]], computed, elongate=False)
        text = self.rng.choice(templates).format_map(slots)
        handle = item.author.handle
        if item.platform in _MENTION_PREFIX and handle:
            text = f"@{handle} {text}"
        return _tidy(text, lang)

    def _count_replies(self) -> None:
        for item in self.items:
            if item.parent is not None:
                self.items[item.parent].extra_replies += 1

    # -- texts ---------------------------------------------------------------------------

    def _user_text(self, profile: _Profile, lang: str, platform: str, intent: str, in_thread: bool, avoid: str = "") -> str:
        slots = self._slots(lang, profile, platform, in_thread)
        if platform == "hackernews" and profile.name in P.HACKERNEWS and self.rng.random() < 0.55:
            templates = P.HACKERNEWS[profile.name][intent]
        elif lang in P.TEMPLATES:
            templates = P.TEMPLATES[lang][intent] + P.BRAND_LINES.get(profile.name, {}).get(lang, {}).get(intent, [])
        else:
            templates = P.SHORT_TEMPLATES[lang][profile.category][intent]
        template = self._last_template = self.rng.choice([t for t in templates if t != avoid] or templates)
        return self._style(template.format_map(slots), lang, intent, platform)

    def _agree_text(self, profile: _Profile, lang: str, platform: str, intent: str, parent: _Item) -> str:
        slots = self._slots(lang, profile, platform, in_thread=True)
        text = self.rng.choice(P.AGREE[lang][intent]).format_map(slots)
        if platform in _MENTION_PREFIX and parent.author.handle:
            text = f"@{parent.author.handle} {text}"
        return self._style(text, lang, intent, platform)

    def _slots(self, lang: str, profile: _Profile, platform: str, in_thread: bool, extra: dict | None = None) -> _Slots:
        tables = [extra or {}, P.BRAND_SLOTS[profile.name].get(lang, {}), P.COMMON.get(lang, P.COMMON["en"])]
        if lang not in P.BRAND_SLOTS[profile.name]:
            tables.append({"city": P.BRAND_SLOTS[profile.name][profile.home_lang]["city"]})
        emoji = platform in _EMOJI_OK
        computed: dict[str, Callable[[], str]] = {
            "brand": lambda: self._brand_ref(profile, platform, in_thread),
            "brand_plain": lambda: profile.display,
            "friend": lambda: self.people.tag(lang, platform),
            "promo_url": lambda: self._promo_url(),
            "code": lambda: self.rng.choice(profile.promo_codes),
            "pct": lambda: self.rng.choice(("10", "15", "20", "25", "30")),
        }
        for mood in ("emoji_pos", "emoji_neg", "emoji_meh"):
            pool = P.COMMON.get(lang, P.COMMON["en"])[mood]
            computed[mood] = (lambda pool=pool: self.rng.choice(pool)) if emoji else (lambda: "")
        return _Slots(self.rng, tables, computed, elongate=lang == "it")

    def _brand_ref(self, profile: _Profile, platform: str, in_thread: bool) -> str:
        """How a user names the brand: written name, @account, hashtag; short inside its threads."""
        r = self.rng.random()
        accounts = _BRANDS[profile.name].own_accounts.get(platform)
        if in_thread and r < 0.3:
            return self.rng.choice(profile.short)
        if platform not in _HASHTAG_OK:
            return self.rng.choice(profile.names)
        if accounts and platform != "facebook" and r < 0.6:
            return "@" + accounts[0]
        if r < 0.72:
            return self.rng.choice(profile.hashtags)
        return self.rng.choice(profile.names)

    def _ensure_brand(self, profile: _Profile, text: str) -> str:
        """Roots are found by the brand query, so they must name the brand somewhere."""
        if _names_brand(profile.name, text):
            return text
        return f"{text} {self.rng.choice(profile.hashtags)}"

    def _promo_url(self) -> str:
        token = "".join(self.rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(7))
        site = self.rng.choice(("promo.example", "deals.example.net/c", "link.example.org"))
        return f"https://{site}/{token}"

    def _style(self, text: str, lang: str, intent: str, platform: str) -> str:
        """The small habits of social text: openers, shouting, !!!, trailing emoji and tags."""
        rng = self.rng
        casual = platform in _CASUAL
        if platform not in _EMOJI_OK:
            text = _strip_emoji(text)
        if casual and lang in P.OPENERS and rng.random() < 0.12:
            openers = P.OPENERS[lang]
            text = f"{rng.choice(openers.get(intent) or openers['_'])}, {_lower_first(text)}"
        if casual and intent == "complaint" and lang in ("it", "en") and len(text) < 100 and rng.random() < 0.04:
            text = text.upper()
        if casual and rng.random() < 0.15:
            text = re.sub(r"([!?])(?=\s|$)", lambda m: m.group(1) * rng.randint(2, 4), text, count=1)
        if platform in _EMOJI_OK and rng.random() < 0.2:
            mood = {"complaint": "emoji_neg", "praise": "emoji_pos", "purchase": "emoji_pos"}.get(intent, "emoji_meh")
            text += " " + rng.choice(P.COMMON.get(lang, P.COMMON["en"])[mood]) * rng.choice((1, 1, 1, 2, 3))
        if platform in _HASHTAG_OK and lang in P.COMMON and rng.random() < 0.15:
            tags = P.COMMON[lang]["tags_neg" if intent == "complaint" else "tags_any"]
            text += " " + " ".join(rng.sample(tags, rng.choice((1, 1, 2))))
        if casual and rng.random() < 0.12:
            text = _lower_first(text)
        elif text[:1].islower():
            text = _capitalise(text)
        return _tidy(text, lang)

    def _unique(self, make: Callable[[], tuple[str | None, str]], strict: bool = False) -> tuple[str | None, str]:
        """Draw texts until one is new: only the deliberate copies may repeat a text.

        ``strict`` also refuses near repeats (same words, other emoji, tags or brand spelling)
        for a while, so that enrichment's duplicate detection finds only the planted copies.
        """
        for attempt in range(50):
            title, text = make()
            if self._key(title, text) in self.seen:
                continue
            if strict and attempt < 25 and _fingerprint(text) in self.prints:
                continue
            break
        else:
            while self._key(title, text) in self.seen:
                text += self.rng.choice((" !", " 🙂", " ...", " (edit)", " +1"))
        self.seen.add(self._key(title, text))
        self.prints.add(_fingerprint(text))
        return title, text

    def _register(self, text: str) -> str:
        while text in self.seen:
            text += " !"
        self.seen.add(text)
        return text

    @staticmethod
    def _key(title: str | None, text: str) -> str:
        return text if text else f"title:{title}"

    # -- items -----------------------------------------------------------------------------

    def _add(self, platform: str, **fields) -> _Item:
        k = self.counters[platform] = self.counters.get(platform, 0) + 1
        native_id = f"demo-{platform}-{k}"
        item = _Item(n=len(self.items), k=k, platform=platform, native_id=native_id, id=mention_id(platform, native_id), **fields)
        item.lag_s = self.rng.uniform(60, 900) if platform in ("feed", "wordpress") else self.rng.uniform(3, 240)
        item.wake_u = self.rng.random()
        item.url = self._url(item)
        self.items.append(item)
        return item

    def _engage(self, item: _Item, followers: int | None, boost: float = 1.0) -> None:
        """Long-tailed likes and shares; reach grows with followers, views only where shown."""
        base = {"x": 2.0, "bluesky": 1.5, "mastodon": 1.2, "facebook": 1.8, "youtube": 1.5, "reddit": 6.0,
                "hackernews": 4.0, "wordpress": 0.4, "disqus": 0.8, "feed": 0.0}[item.platform]
        reach = math.sqrt(1 + (followers or 200) / 500)
        floor = 0 if not item.is_brand else 1  # a brand's post always gets some love
        item.likes = int((self.rng.paretovariate(1.3) - 1 + floor) * base * reach * boost)
        if item.platform in ("x", "bluesky", "mastodon", "facebook"):
            item.shares = int(item.likes * self.rng.uniform(0.02, 0.35))
        if item.platform in _VIEWS:
            seen_by = max(item.likes * self.rng.uniform(30, 120), (followers or 100) * self.rng.uniform(0.02, 0.3))
            item.views = int(seen_by) + self.rng.randint(3, 60)
        item.extra_replies = int(self.rng.paretovariate(2.5)) - 1 if item.parent is None else 0

    def _url(self, item: _Item) -> str:
        k, handle = item.k, item.author.handle
        root = self.items[item.root] if item.root is not None else None
        match item.platform:
            case "x":
                return f"https://x.example/{handle}/status/{1_790_000_000_000_000_000 + k * 1_000_003}"
            case "mastodon":
                user, instance = (handle or "user@social.example").split("@", 1)
                return f"https://{instance}/@{user}/{111_000_000_000_000_000 + k * 1_009}"
            case "bluesky":
                return f"https://bsky.example/profile/{handle}/post/{_token('post', k, length=13)}"
            case "reddit":
                if root is not None:
                    return f"{root.url}{_b36(2_000_000 + k)}/"
                sub = self.rng.choice(P.SUBREDDITS[item.brand])
                return f"https://reddit.example/r/{sub}/comments/{_b36(1_000_000 + k)}/{_slug(item.title or item.text, 40)}/"
            case "hackernews":
                return f"https://news.example/item?id={39_000_000 + k * 7}"
            case "facebook":
                if root is not None:
                    return f"{root.url}?comment_id={5_000_000_000 + k}"
                owner = handle or item.author.id
                return f"https://facebook.example/{owner}/posts/{1_000_000_000 + k}"
            case "youtube":
                if root is not None:
                    return f"{root.url}&lc={_token('lc', k, length=16)}"
                return f"https://video.example/watch?v={_token('v', k)}"
            case "wordpress":
                if root is not None:
                    return f"{root.url}#comment-{k}"
                blog = self.rng.choice(P.BLOG_NAMES.get(item.lang, P.BLOG_NAMES["en"]))
                site = "blog.caffeaurora.example" if item.is_brand else f"{blog}.example.com"
                return f"https://{site}/{_slug(item.title or item.text)}/"
            case "disqus":
                if root is not None:
                    return f"{root.url.split('#')[0]}#comment-{10_000 + k}"
                return f"https://{self.rng.choice(P.NEWS_SITES)}.example.org/articoli/{_b36(50_000 + k)}/#comment-{10_000 + k}"
            case _:
                return f"https://{_slug(item.author.name or 'news')}.example.org/{_slug(item.title or item.text)}"

    def _weighted(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]


_BRAND_WORDS = re.compile(r"caff[eè] aurora|miscela boreale|aurora|boreale|spinlane")


def _fingerprint(text: str) -> str:
    """The words of a text without emoji, tags, links and brand spelling; "" when short."""
    words = re.sub(r"https?://\S+|[@#][\w.@-]+", " ", text.lower())
    words = re.sub(r"[\W_]+", " ", _BRAND_WORDS.sub(" ", words)).strip()
    return words if len(words) >= 30 else ""


def _names_brand(brand: str, text: str) -> bool:
    profile, low = _PROFILES[brand], text.lower()
    terms = [n.lower() for n in profile.names] + [h.lower() for h in profile.hashtags]
    terms += ["@" + handle.lower() for handles in _BRANDS[brand].own_accounts.values() for handle in handles]
    return any(term in low for term in terms)


# ---------------------------------------------------------------------------------------
# Placing the plan in time, before the anchor.
# ---------------------------------------------------------------------------------------


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # a system without tz data: standard time is close enough
        return timezone(timedelta(hours={"Europe/Rome": 1}.get(name, 0)))


class _Clock:
    """Maps the plan's uniform draws to instants in ``[anchor - hours, anchor]``, in seconds."""

    def __init__(self, anchor: datetime, hours: int):
        self.anchor, self.start = anchor, anchor - timedelta(hours=hours)
        self.window_s = hours * 3600
        spike_start, spike_end = _spike_window(anchor, hours)
        self.spike_start_s = (spike_start - self.start).total_seconds()
        self.spike_length_s = (spike_end - spike_start).total_seconds()
        self._rhythms: dict[str, tuple[list[float], list[float]]] = {}

    def rhythm(self, zone: str, u: float, reserve_s: float) -> float:
        """Daily and weekly rhythm of the brand's country, ending ``reserve_s`` before the anchor."""
        density, cumulative = self._rhythm(zone)
        latest = self.window_s - reserve_s - _ROOT_MARGIN_S
        if latest < 0.3 * self.window_s:  # the answer cannot fit: its own placement will squeeze it
            latest = 0.3 * self.window_s - _ROOT_MARGIN_S
        target = u * self._weight_until(latest, density, cumulative)
        hour = bisect.bisect_left(cumulative, target)
        before = cumulative[hour - 1] if hour else 0.0
        return hour * 3600 + (target - before) / density[hour]

    def spike(self, u: float) -> float:
        """A burst that rises fast, peaks early and fades (triangular, mode at 35 %)."""
        mode = 0.35
        x = math.sqrt(u * mode) if u < mode else 1 - math.sqrt((1 - u) * (1 - mode))
        return self.spike_start_s + x * self.spike_length_s

    def after(self, parent_s: float, delay_s: float, reserve_s: float, frac: float) -> float:
        latest = self.window_s - reserve_s
        if parent_s + delay_s <= latest:
            return parent_s + delay_s
        room = latest - parent_s
        if room < 5:  # even the answer's reserve does not fit: share what is left
            room = (self.window_s - parent_s) * 0.5
        return parent_s + room * frac

    def awake(self, zone: str, at: float, u: float, reserve_s: float) -> float:
        """Answers that would fall in the small hours wait for the morning, most of the time.

        Comments and replies follow their parent after a delay; without this, evening posts
        would fill the night with answers that people (and care teams) write after waking.
        """
        local = (self.start + timedelta(seconds=at)).astimezone(_zone(zone))
        if not _NIGHT[0] <= local.hour < _NIGHT[1] or u > 0.85:
            return at
        morning = local.replace(hour=_NIGHT[1], minute=0, second=0) + timedelta(minutes=150 * u)
        moved = (morning - self.start).total_seconds()
        return moved if moved <= self.window_s - reserve_s else at

    def _rhythm(self, zone: str) -> tuple[list[float], list[float]]:
        if zone not in self._rhythms:
            tz = _zone(zone)
            density, cumulative, total = [], [], 0.0
            for hour in range(math.ceil(self.window_s / 3600)):
                local = (self.start + timedelta(hours=hour, minutes=30)).astimezone(tz)
                weight = _DAILY[local.hour] * _WEEKLY[local.weekday()]
                total += weight * min(3600, self.window_s - hour * 3600)
                density.append(weight)
                cumulative.append(total)
            self._rhythms[zone] = (density, cumulative)
        return self._rhythms[zone]

    @staticmethod
    def _weight_until(t: float, density: list[float], cumulative: list[float]) -> float:
        hour = min(int(t // 3600), len(density) - 1)
        before = cumulative[hour - 1] if hour else 0.0
        return before + density[hour] * (t - hour * 3600)


def _place(items: list[_Item], clock: _Clock) -> list[int]:
    """Whole seconds after the window's start; every child strictly after its parent."""
    seconds: list[int] = []
    for item in items:
        kind = item.timing[0]
        if kind == "rhythm":
            at = clock.rhythm(_PROFILES[item.brand].timezone, item.timing[1], item.reserve_s)
        elif kind == "spike":
            at = clock.spike(item.timing[1])
        elif kind == "spike_at":
            at = clock.spike_start_s + item.timing[1] * clock.spike_length_s
        else:
            _, ref, delay, frac = item.timing
            at = clock.after(seconds[ref], delay, item.reserve_s, frac)
            if not item.incident:  # an incident keeps people (and the care team) up at night
                at = clock.awake(_PROFILES[item.brand].timezone, at, item.wake_u, item.reserve_s)
            at = max(at, seconds[ref] + 1)
        seconds.append(min(int(at), clock.window_s))
    return seconds


# ---------------------------------------------------------------------------------------
# The public API.
# ---------------------------------------------------------------------------------------


def default_anchor(now: datetime | None = None) -> datetime:
    """The current UTC time floored to the hour: the demo's data ends "now" on dashboards."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def generate(seed: int = 7, anchor: datetime | None = None, hours: int = 72, scale: float = 1.0) -> list[Mention]:
    """The demo stream, sorted by ``published_at``; about 4,000 mentions at scale 1 over 72 hours."""
    return generate_with_truth(seed=seed, anchor=anchor, hours=hours, scale=scale)[0]


def generate_with_truth(
    seed: int = 7, anchor: datetime | None = None, hours: int = 72, scale: float = 1.0
) -> tuple[list[Mention], DemoTruth]:
    """The demo stream and what is true about it (languages, intents, noise, spike, answers)."""
    if hours < 6:
        raise ValueError(f"hours must be at least 6 (got {hours}): the stream needs room for its stories")
    if scale <= 0:
        raise ValueError(f"scale must be positive (got {scale})")
    anchor = default_anchor() if anchor is None else _utc(anchor)
    items = _Planner(seed, hours, scale).plan()
    clock = _Clock(anchor, hours)
    seconds = _place(items, clock)
    mentions = [_mention(item, items, clock.start, s, anchor) for item, s in zip(items, seconds)]
    mentions.sort(key=lambda m: (m.published_at, m.id))
    return mentions, _truth(items, anchor, hours)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _mention(item: _Item, items: list[_Item], start: datetime, second: int, anchor: datetime) -> Mention:
    published = start + timedelta(seconds=second)
    return Mention(
        platform=item.platform,
        native_id=item.native_id,
        source=SOURCE,
        url=item.url,
        thread_id=items[item.root].id if item.root is not None else item.id,
        parent_id=items[item.parent].id if item.parent is not None else None,
        author=item.author,
        author_is_brand=item.is_brand,
        brand=item.brand,
        title=item.title,
        text=item.text,
        language=None,
        published_at=published,
        fetched_at=min(anchor, published + timedelta(seconds=int(item.lag_s))),
        engagement=Engagement(likes=max(0, item.likes), shares=item.shares, replies=item.extra_replies, views=item.views),
    )


def _truth(items: list[_Item], anchor: datetime, hours: int) -> DemoTruth:
    spike_start, spike_end = _spike_window(anchor, hours)
    return DemoTruth(
        language={it.id: it.lang for it in items},
        intent={it.id: it.intent for it in items if not it.is_brand and it.intent is not None},
        promo={it.id for it in items if it.promo},
        duplicates={it.id for it in items if it.copy_of is not None},
        spike=(spike_start, spike_end, SPIKE_BRAND),
        answered={it.id: items[it.reply].id for it in items if it.reply is not None},
    )
