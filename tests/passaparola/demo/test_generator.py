"""The demo stream: deterministic, valid, and carrying the stories the dashboards show."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest

from core.schema import PLATFORMS, Mention
from passaparola.demo.generator import DEMO_BRANDS, INTENTS, DemoTruth, generate, generate_with_truth

ANCHOR = datetime(2025, 3, 14, 18, 0, tzinfo=timezone.utc)
HOURS = 72
BRANDS = {brand.name: brand for brand in DEMO_BRANDS}
CLIENTS = {brand.name for brand in DEMO_BRANDS if not brand.competitor}


@pytest.fixture(scope="module")
def stream() -> tuple[list[Mention], DemoTruth]:
    return generate_with_truth(seed=7, anchor=ANCHOR, hours=HOURS)


@pytest.fixture(scope="module")
def mentions(stream) -> list[Mention]:
    return stream[0]


@pytest.fixture(scope="module")
def truth(stream) -> DemoTruth:
    return stream[1]


@pytest.fixture(scope="module")
def by_id(mentions) -> dict[str, Mention]:
    return {m.id: m for m in mentions}


def users(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if not m.author_is_brand]


# -- determinism and ids ------------------------------------------------------------------


def test_same_arguments_give_the_same_stream(mentions):
    again = generate(seed=7, anchor=ANCHOR, hours=HOURS)
    assert [m.model_dump() for m in again] == [m.model_dump() for m in mentions]


def test_another_seed_gives_another_stream(mentions):
    other = generate(seed=8, anchor=ANCHOR, hours=HOURS)
    mine, theirs = {m.text for m in mentions}, {m.text for m in other}
    assert len(mine & theirs) < 0.2 * len(mine)


def test_ids_are_unique_and_do_not_depend_on_the_anchor(mentions):
    assert len({m.id for m in mentions}) == len(mentions)
    later = generate(seed=7, anchor=ANCHOR + timedelta(days=40, hours=7), hours=HOURS)
    # Re-running the demo later overwrites the same documents with the same content.
    assert {m.id: (m.text, m.author.id) for m in later} == {m.id: (m.text, m.author.id) for m in mentions}
    assert {m.native_id for m in mentions} == {m.native_id for m in later}


def test_scale_multiplies_volume(mentions):
    half = generate(seed=7, anchor=ANCHOR, hours=HOURS, scale=0.5)
    assert 3000 <= len(mentions) <= 5000
    assert 0.4 <= len(half) / len(mentions) <= 0.6


def test_default_anchor_is_now_floored_to_the_hour():
    before = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    _, truth = generate_with_truth(seed=3, hours=24, scale=0.2)
    after = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    spikes = {generate_with_truth(seed=3, anchor=anchor, hours=24, scale=0.2)[1].spike for anchor in {before, after}}
    assert truth.spike in spikes


def test_rejects_a_window_too_short_or_no_volume():
    with pytest.raises(ValueError):
        generate(hours=2)
    with pytest.raises(ValueError):
        generate(scale=0)


# -- validity -----------------------------------------------------------------------------


def test_every_mention_is_valid_and_round_trips(mentions):
    for mention in mentions:
        assert Mention.from_json(mention.to_json()) == mention
        assert mention.source == "demo"
        assert mention.native_id.startswith(f"demo-{mention.platform}-")
        assert mention.language is None  # enrichment detects it; the truth keeps it
        assert mention.brand in BRANDS


def test_urls_are_on_example_domains(mentions):
    for mention in mentions:
        host = urlparse(mention.url).hostname or ""
        assert mention.url.startswith("https://")
        assert host.split(".")[-1] == "example" or ".example." in f".{host}", mention.url


def test_sorted_in_time_inside_the_window(mentions):
    times = [m.published_at for m in mentions]
    assert times == sorted(times)
    assert times[0] >= ANCHOR - timedelta(hours=HOURS)
    assert times[-1] <= ANCHOR
    for mention in mentions:
        assert mention.published_at <= mention.fetched_at <= ANCHOR
        assert mention.published_at.tzinfo == timezone.utc


def test_every_platform_is_used_with_hackernews_in_english(mentions, truth):
    counts = Counter(m.platform for m in mentions)
    assert set(counts) == set(PLATFORMS)
    hn_langs = Counter(truth.language[m.id] for m in mentions if m.platform == "hackernews")
    assert hn_langs["en"] >= 0.9 * sum(hn_langs.values())
    assert all(m.title for m in mentions if m.platform == "feed")


# -- languages and intents ------------------------------------------------------------------


def test_language_mix(mentions, truth):
    langs = Counter(truth.language[m.id] for m in mentions)
    total = sum(langs.values())
    assert 0.5 <= langs["it"] / total <= 0.7
    assert 0.25 <= langs["en"] / total <= 0.45
    others = total - langs["it"] - langs["en"]
    assert 0.01 <= others / total <= 0.1
    assert {"es", "fr", "de"} <= set(langs)


def test_every_intent_in_italian_and_english(mentions, truth):
    seen = {(truth.language[i], intent) for i, intent in truth.intent.items()}
    for intent in INTENTS:
        assert ("it", intent) in seen and ("en", intent) in seen, intent
    assert set(truth.intent.values()) == set(INTENTS)
    brand_ids = {m.id for m in mentions if m.author_is_brand}
    assert not brand_ids & set(truth.intent)  # intents describe users, not the brands
    assert set(truth.intent) == {m.id for m in users(mentions)}


def test_intent_mix_is_realistic(truth):
    counts = Counter(truth.intent.values())
    total = sum(counts.values())
    for intent in INTENTS:
        assert counts[intent] >= 0.04 * total, intent
    assert counts["complaint"] == max(counts.values())  # the spike makes complaints the top intent


def test_texts_do_not_repeat_except_the_copies(mentions, truth):
    seen: set[str] = set()
    for mention in mentions:
        if mention.text and mention.id not in truth.duplicates:
            assert mention.text not in seen, mention.text
            seen.add(mention.text)


def test_roots_found_by_search_name_their_brand(mentions):
    # On facebook and youtube users comment on the brand's own page; elsewhere a root
    # post is found by the brand query, so it names the brand somewhere.
    for mention in users(mentions):
        if mention.parent_id is None and mention.platform not in ("facebook", "youtube"):
            brand = BRANDS[mention.brand]
            terms = [t.strip('"').lower() for t in brand.query.split(" OR ")]
            where = f"{mention.title or ''} {mention.text}".lower().replace("caffe aurora", "caffè aurora")
            assert any(term.lstrip("#@") in where for term in terms), mention.text


# -- noise ------------------------------------------------------------------------------------


def test_promo_noise_is_present(mentions, truth, by_id):
    assert 0.01 * len(mentions) <= len(truth.promo) <= 0.1 * len(mentions)
    for mention_id in truth.promo:
        assert not by_id[mention_id].author_is_brand
        assert truth.intent[mention_id] == "other"
    assert any("concorso" in by_id[i].text.lower() for i in truth.promo)
    assert any("giveaway" in by_id[i].text.lower() for i in truth.promo)


def test_duplicates_copy_an_earlier_text(mentions, truth, by_id):
    assert len(truth.duplicates) >= 20
    copied = Counter()
    for mention_id in truth.duplicates:
        copy = by_id[mention_id]
        earlier = [m for m in mentions if m.published_at < copy.published_at and m.id not in truth.duplicates]
        # An exact copy, or the same text with a tag added (a near duplicate).
        originals = [m for m in earlier if m.text and copy.text.startswith(m.text) and m.author.id != copy.author.id]
        assert originals, copy.text
        copied[originals[0].id] += 1
    assert max(copied.values()) >= 3  # several accounts repost the same text
    assert any(by_id[i].text == by_id[o].text for i in truth.duplicates for o in copied)


# -- threads and brand replies -------------------------------------------------------------


def test_thread_ids_point_to_existing_roots(mentions, by_id):
    for mention in mentions:
        root = by_id[mention.thread_id]
        assert root.thread_id == root.id and root.parent_id is None
        assert root.published_at <= mention.published_at
        if mention.parent_id is None:
            assert mention.thread_id == mention.id
        else:
            parent = by_id[mention.parent_id]
            assert parent.published_at < mention.published_at
            assert parent.thread_id == mention.thread_id
            assert parent.platform == mention.platform


def test_users_comment_under_the_brands_posts(mentions, by_id):
    comments = [m for m in users(mentions) if m.parent_id and by_id[m.parent_id].author_is_brand]
    on_facebook = [m for m in users(mentions) if m.platform == "facebook"]
    assert len(comments) > 0.15 * len(users(mentions))
    assert sum(1 for m in on_facebook if m.parent_id) > 0.6 * len(on_facebook)


def test_brand_replies_come_from_the_brand_accounts(mentions, truth, by_id):
    replies = [m for m in mentions if m.author_is_brand and m.parent_id]
    assert len(replies) >= 300
    for reply in replies:
        parent = by_id[reply.parent_id]
        assert reply.author.handle in BRANDS[reply.brand].own_accounts[reply.platform]
        assert parent.published_at < reply.published_at
        assert reply.brand == parent.brand
        assert truth.language[reply.id] == truth.language[parent.id]
        if not parent.author_is_brand:
            assert truth.answered[parent.id] == reply.id
    for user_id, reply_id in truth.answered.items():
        assert by_id[reply_id].parent_id == user_id and by_id[reply_id].author_is_brand


def reply_rates(mentions, truth, by_id, brands) -> dict[str, float]:
    answerable = [
        m for m in users(mentions)
        if m.brand in brands and m.platform in BRANDS[m.brand].own_accounts and m.id not in truth.promo | truth.duplicates
    ]
    rates = {}
    for intent in INTENTS:
        asked = [m for m in answerable if truth.intent[m.id] == intent]
        rates[intent] = sum(m.id in truth.answered for m in asked) / len(asked)
    return rates


def test_clients_answer_unevenly_by_intent(mentions, truth, by_id):
    rates = reply_rates(mentions, truth, by_id, CLIENTS)
    assert rates["purchase"] > rates["praise"] > rates["complaint"] > rates["suggestion"]
    assert rates["purchase"] >= 0.6 and rates["suggestion"] <= 0.2


def test_purchase_is_answered_faster_than_complaints(mentions, truth, by_id):
    delays: dict[str, list[float]] = {}
    for user_id, reply_id in truth.answered.items():
        delay = (by_id[reply_id].published_at - by_id[user_id].published_at).total_seconds()
        delays.setdefault(truth.intent[user_id], []).append(delay)
    assert statistics.median(delays["purchase"]) < 3600 < statistics.median(delays["complaint"])
    everything = [d for values in delays.values() for d in values]
    assert any(d < 60 for d in everything)  # a care team watching live
    assert any(d > 24 * 3600 for d in everything)  # and answers that come the next day


def test_competitor_is_tracked_not_ours(mentions):
    competitors = [b for b in DEMO_BRANDS if b.competitor]
    assert len(competitors) == 1
    assert sum(m.brand == competitors[0].name for m in mentions) > 200
    assert all(b.query and b.own_accounts for b in DEMO_BRANDS)


# -- the spike and the rhythm ---------------------------------------------------------------


def hourly(mentions, brand: str) -> Counter:
    return Counter(m.published_at.replace(minute=0, second=0) for m in mentions if m.brand == brand)


def test_negative_spike_stands_out(mentions, truth):
    start, end, brand = truth.spike
    assert brand in CLIENTS and ANCHOR - timedelta(hours=24) <= start < end <= ANCHOR - timedelta(hours=19)
    counts = hourly(mentions, brand)
    every_hour = [counts.get(ANCHOR - timedelta(hours=h + 1), 0) for h in range(HOURS)]
    in_spike = [n for hour, n in counts.items() if start - timedelta(hours=1) < hour < end]
    assert max(in_spike) >= 4 * statistics.median(every_hour)
    burst = [m for m in users(mentions) if m.brand == brand and start <= m.published_at <= end]
    langs = Counter(truth.language[m.id] for m in burst)
    assert langs["it"] > 0.7 * len(burst) and langs["en"] > 0
    assert Counter(truth.intent[m.id] for m in burst)["complaint"] > 0.6 * len(burst)


def test_volume_follows_the_day(mentions, truth):
    start, end, _ = truth.spike
    rome = ZoneInfo("Europe/Rome")
    local_hours = Counter(
        m.published_at.astimezone(rome).hour
        for m in users(mentions)
        if m.brand == "aurora" and not start - timedelta(hours=1) <= m.published_at <= end + timedelta(hours=3)
    )
    night = sum(local_hours[h] for h in (2, 3, 4, 5))
    evening = sum(local_hours[h] for h in (19, 20, 21, 22))
    assert evening > 4 * night


# -- authors and engagement -------------------------------------------------------------------


def test_authors_are_stable_and_long_tailed(mentions):
    handles: dict[tuple[str, str], str | None] = {}
    for m in mentions:
        assert handles.setdefault((m.platform, m.author.id), m.author.handle) == m.author.handle
    followers = [m.author.followers for m in users(mentions) if m.author.followers is not None]
    assert max(followers) > 100 * statistics.median(followers)
    posts_per_author = Counter((m.platform, m.author.id) for m in users(mentions))
    assert max(posts_per_author.values()) >= 5 and statistics.median(posts_per_author.values()) <= 2


def test_engagement_is_long_tailed_and_views_only_where_shown(mentions):
    likes = [m.engagement.likes for m in mentions]
    assert max(likes) > 20 * max(1, statistics.median(likes))
    for m in mentions:
        if m.engagement.views is not None:
            assert m.platform == "x" or (m.platform == "youtube" and m.author_is_brand and m.parent_id is None)
    assert any(m.engagement.views for m in mentions if m.platform == "x")
