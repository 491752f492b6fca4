"""Every panel's Elasticsearch request, run on the demo stream in the real node, shows what
the demo generator says it must."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from core.elastic import connect
from core.settings import Settings
from core.topics import ensure_topics
from dashboards import build, queries
from dashboards import rules as rules_module
from passaparola.demo.generator import default_anchor, generate_with_truth
from passaparola.demo.pipeline import run_pipeline
from sinks.elasticsearch import alias

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(local_stack, base_settings, _tags):
    """The demo stream (ending on the latest Thursday afternoon) through the real workers,
    once for the module."""
    import os
    import uuid

    tag = f"t-dashboards-{uuid.uuid4().hex[:6]}"
    _tags.append(tag)
    topics = {name: f"{tag}.{value}" for name, value in base_settings.topics.model_dump().items()}
    settings = base_settings.model_copy(update={
        "topics": base_settings.topics.model_copy(update=topics),
        "kafka": base_settings.kafka.model_copy(update={"client_id": tag, "partitions": 3}),
        "elasticsearch": base_settings.elasticsearch.model_copy(update={"index_prefix": tag})})
    env = {**os.environ, "PASSAPAROLA_KAFKA__CLIENT_ID": tag, "PASSAPAROLA_KAFKA__PARTITIONS": "3",
           "PASSAPAROLA_ELASTICSEARCH__INDEX_PREFIX": tag}
    env |= {f"PASSAPAROLA_TOPICS__{k.upper()}": v for k, v in settings.topics.model_dump().items()}
    ensure_topics(settings)
    anchor = thursday_afternoon()
    mentions, truth = generate_with_truth(seed=7, anchor=anchor, scale=0.5)
    run_pipeline(settings, mentions, worker_env=env, timeout_s=240)
    es = connect(settings)
    es.indices.refresh(index=f"{tag}-*")
    return es, tag, mentions, truth, anchor


def thursday_afternoon(now: datetime | None = None) -> datetime:
    """The latest Thursday 15:00 UTC at or before ``now``: the module's stream ends there.

    SLAs count business hours, so what comes due in a 72-hour stream follows the weekday it
    ends on: one ending on a Monday morning holds the weekend and nothing comes due (CI
    failed so, run at Monday 09:00). Pinning the weekday and hour makes every run check the
    same calendar, with weekdays in it; the data stays within the last week.
    """
    hour = default_anchor(now)
    anchor = (hour - timedelta(days=(hour.weekday() - 3) % 7)).replace(hour=15)
    return anchor if anchor <= hour else anchor - timedelta(days=7)


def search(demo, target, variables=None, days=7, end=None):
    es, tag, *_rest, anchor = demo
    end = end or anchor + timedelta(hours=1)
    kind, body = queries.es_request(target, end - timedelta(days=days, hours=1), end, variables)
    return es.search(index=alias(tag, kind), **body)


def targets(name, ref="A"):
    """Panel title -> its target ``ref`` (A by default)."""
    found = queries.panel_targets(json.loads((build.JSON_DIR / f"{name}.json").read_text()))
    return {title: t for title, t in found if t["refId"] == ref}


def buckets(agg):
    return {b["key"]: b for b in agg["buckets"]} if isinstance(agg["buckets"], list) else agg["buckets"]


def test_every_panel_request_runs(demo):
    for name in build.MODULES:
        for title, target in queries.panel_targets(json.loads((build.JSON_DIR / f"{name}.json").read_text())):
            reply = search(demo, target, {"brand": ["aurora", "spinlane"]})
            assert reply["hits"]["total"]["value"] > 0 or title in ("Unanswered queue by age",), (name, title)


def test_buzz_panels(demo):
    _es, _tag, mentions, truth, _anchor = demo
    panels = targets("buzz")
    users = [m for m in mentions if not m.author_is_brand]
    voice = buckets(search(demo, panels["Share of voice (all brands)"])["aggregations"]["2"])
    assert {k: b["doc_count"] for k, b in voice.items()} == Counter(m.brand for m in users)
    raw_hourly = search(demo, panels["Mentions per brand (raw and deduplicated)"])
    aurora = {b["key"]: b["doc_count"] for b in buckets(raw_hourly["aggregations"]["2"])["aurora"]["9"]["buckets"]}
    assert sum(aurora.values()) == sum(1 for m in users if m.brand == "aurora")
    dedup = search(demo, targets("buzz", "B")["Mentions per brand (raw and deduplicated)"])
    kept = buckets(dedup["aggregations"]["2"])["aurora"]["doc_count"]
    copies = sum(1 for m in users if m.brand == "aurora" and m.id in truth.duplicates)
    print("share of voice", {k: b["doc_count"] for k, b in voice.items()}, "aurora dedup", kept, "true copies", copies)
    assert kept < sum(aurora.values())


def test_spike_hour_dominates_aurora_negative_volume(demo):
    _es, _tag, _m, truth, _a = demo
    target = targets("alerts")["Negative mentions per brand"]
    reply = search(demo, target, {"brand": ["aurora"]})
    hours = buckets(buckets(reply["aggregations"]["2"])["aurora"]["9"])
    series = sorted(((b["doc_count"], b["key"]) for b in hours.values()), reverse=True)
    top_count, top_key = series[0]
    start, end, brand = truth.spike
    assert brand == "aurora"
    assert start.timestamp() * 1000 - 3_600_000 <= top_key <= end.timestamp() * 1000
    median = sorted(c for c, _ in series)[len(series) // 2]
    assert top_count >= 5 * max(median, 1)
    print("aurora negative: spike hour", top_count, "median hour", median)


# -- what the Grafana transformations compute, done here on the ES replies ------------------


def matrix(agg, row_id="2", column_id="3"):
    """groupingToMatrix over nested terms: row key -> {column key: Count}."""
    return {row: {column: cell["doc_count"] for column, cell in buckets(b[column_id]).items()}
            for row, b in buckets(agg[row_id]).items()}


def percent_of_row(rows, column):
    """Bar chart stacking in percent mode: a column's share of its row's sum."""
    return {row: cells.get(column, 0) / sum(cells.values()) for row, cells in rows.items()}


def mood_totals(reply):
    """The net sentiment panel's filters x 6h histogram, summed over the range: label -> count."""
    return {label: sum(h["doc_count"] for h in b["9"]["buckets"]) for label, b in buckets(reply["aggregations"]["3"]).items()}


def test_reply_rate_by_intent_follows_the_care_profile(demo):
    """Clients answer purchase talk most, complaints and suggestions least (generator's _CLIENT_CARE).

    The panel groups by the *enriched* intent, not the generator's, so the ordering is what
    must hold, not the profile's exact rates."""
    panel = targets("responsiveness")["Reply rate by intent"]
    rate = percent_of_row(matrix(search(demo, panel)["aggregations"]), "brand_reply")
    print("reply rate by intent", {k: round(v, 3) for k, v in rate.items()})
    assert rate["purchase"] > rate["complaint"] and rate["purchase"] > rate["suggestion"]
    clients = percent_of_row(matrix(search(demo, panel, {"brand": ["aurora", "spinlane"]})["aggregations"]), "brand_reply")
    assert clients["purchase"] > clients["complaint"]


def test_median_first_response_purchase_before_complaint(demo):
    panel = targets("responsiveness")["First response time by intent (median, p90)"]
    rows = buckets(search(demo, panel)["aggregations"]["2"])
    median = {intent: b["1"]["values"]["50.0"] for intent, b in rows.items()}
    print("median first response (s)", median)
    assert median["purchase"] < median["complaint"]


def _sla_passed(demo, clock=None):
    """Owed items (the tracker gave them an SLA) whose SLA passed by ``clock`` with no brand
    answer by then, per the generator's truth: what the breach panels must show. The
    tracker's clock is the newest mention seen, or the wall clock minus its grace if later,
    so ``clock`` defaults to the stream's end; see :func:`_sla_passed_bounds`."""
    es, tag, mentions, truth, _anchor = demo
    published = {m.id: m.published_at for m in mentions}
    clock = clock or max(published.values())
    owed = es.search(index=alias(tag, "replies"), size=5000, query={"exists": {"field": "sla_seconds"}})["hits"]["hits"]
    passed = set()
    for hit in owed:
        due = hit["_source"].get("due_at")
        if due is None or datetime.fromisoformat(due) > clock:
            continue
        answer = truth.answered.get(hit["_id"])
        if answer is None or published[answer] > datetime.fromisoformat(due):
            passed.add(hit["_id"])
    return passed, len(owed)


def _sla_passed_bounds(demo):
    """(passed by the stream's end, passed by now minus the tracker's grace): the stream ends
    in the past (see :func:`thursday_afternoon`), so the tracker's clock is the wall clock
    and SLAs due between the stream's end and now may or may not have been flagged yet."""
    *_rest, mentions, _truth, _anchor = demo
    grace = timedelta(seconds=Settings().replies.clock_grace_s)
    latest = max(max(m.published_at for m in mentions), datetime.now(timezone.utc) - grace)
    return _sla_passed(demo)[0], _sla_passed(demo, latest)[0]


def test_breach_panels_show_passed_slas_and_nothing_else(demo):
    """72 hours always hold business hours, so some SLAs pass before the stream ends: the
    unanswered and breach panels are non-empty, and every breach they show is one the truth
    says is real (due before the SLA clock, not answered by then)."""
    passed, latest = _sla_passed_bounds(demo)
    panels = targets("responsiveness")
    rows = search(demo, panels["Unanswered, oldest first"])["hits"]["hits"]
    queue = buckets(search(demo, panels["Unanswered queue by age"])["aggregations"]["2"])
    per_intent = search(demo, panels["SLA breaches by intent"])["aggregations"]["2"]
    breached = sum(b["doc_count"] for b in per_intent["buckets"])
    print("SLA passed per truth", len(passed), "to", len(latest), "breached in panel", breached,
          "queue", {k: b["doc_count"] for k, b in queue.items()})
    assert passed and 0 < breached <= len(latest)
    assert rows and {r["_id"] for r in rows} <= latest
    assert (sum(b["doc_count"] for b in queue.values())
            == search(demo, panels["Unanswered, oldest first"])["hits"]["total"]["value"])


def test_every_passed_sla_is_a_breach(demo):
    passed, latest = _sla_passed_bounds(demo)
    per_intent = search(demo, targets("responsiveness")["SLA breaches by intent"])["aggregations"]["2"]
    assert len(passed) <= sum(b["doc_count"] for b in per_intent["buckets"]) <= len(latest)


def _due_truth(demo, start, end):
    """brand -> (items whose SLA came due in [start, end], those not answered in time), from
    the tracker's due dates and the generator's truth of who answered when."""
    es, tag, mentions, truth, _anchor = demo
    published = {m.id: m.published_at for m in mentions}
    owed = es.search(index=alias(tag, "replies"), size=5000, query={"exists": {"field": "due_at"}})["hits"]["hits"]
    figures: dict[str, list[int]] = {}
    for hit in owed:
        due = datetime.fromisoformat(hit["_source"]["due_at"])
        if not start <= due <= end:
            continue
        answer = truth.answered.get(hit["_id"])
        late = answer is None or published[answer] > due
        counts = figures.setdefault(hit["_source"]["brand"], [0, 0])
        counts[0] += 1
        counts[1] += late
    return figures


def test_breach_rate_panel_counts_the_items_due_in_range(demo):
    """Up to the stream's end (the SLA clock), every item due in the range is settled."""
    *_rest, mentions, _truth, _anchor = demo
    clock = max(m.published_at for m in mentions)
    panel = targets("responsiveness")["SLA breach rate, items due in range"]
    got = buckets(search(demo, panel, end=clock, days=7)["aggregations"]["2"])
    figures = _due_truth(demo, clock - timedelta(days=7, hours=1), clock)
    print("items due", sum(f[0] for f in figures.values()), "not answered in time", sum(f[1] for f in figures.values()))
    assert got["due"]["doc_count"] == sum(f[0] for f in figures.values()) > 0
    assert got["breached"]["doc_count"] == sum(f[1] for f in figures.values())


def test_promo_share_matches_the_truth(demo):
    _es, _tag, mentions, truth, _anchor = demo
    share = buckets(search(demo, targets("promo")["Promo share"])["aggregations"]["3"])
    users = [m for m in mentions if not m.author_is_brand]
    true_promo = sum(1 for m in users if m.id in truth.promo)
    print("promo: panel", share["promo"]["doc_count"], "truth", true_promo, "organic", share["organic"]["doc_count"])
    # No accuracy is published for the promo flag (README, Enrichment). Measured on this
    # stream (seed 7, scale 0.5): 75 flagged, 75 true, 0 false positives, 0 misses (by id).
    # The rules are deterministic, so the count is exact today; 5 % (4 mentions here) leaves
    # room for a cue-list tweak while a lost promo category (contests, codes) still fails.
    assert abs(share["promo"]["doc_count"] - true_promo) <= max(2, round(0.05 * true_promo))
    assert share["promo"]["doc_count"] + share["organic"]["doc_count"] == len(users)


def test_net_sentiment_sign_per_brand(demo):
    """The panel's (positive - negative) / all over the range, per brand, equals the demo
    summary's net sentiment (both on what people wrote: brand accounts' posts are not buzz)."""
    from passaparola.demo.summary import summarize

    es, tag, _m, truth, _anchor = demo
    panel = targets("buzz")["Net sentiment: $brand"]
    summary = summarize(es, alias(tag, "mentions"))
    for brand in sorted(b for b in summary.sentiment_by_brand if b != "(none)"):
        moods = mood_totals(search(demo, panel, {"brand": [brand]}))
        net = (moods["positive"] - moods["negative"]) / moods["all"]
        assert net == pytest.approx(summary.net_sentiment(brand))
    # The incident: aurora's 6-hour bucket holding the spike start is net negative.
    reply = search(demo, panel, {"brand": ["aurora"]})["aggregations"]["3"]
    spike_ms = truth.spike[0].timestamp() * 1000
    at = [i for i, h in enumerate(reply["buckets"]["all"]["9"]["buckets"]) if h["key"] <= spike_ms < h["key"] + 6 * 3_600_000]
    counts = {label: reply["buckets"][label]["9"]["buckets"][at[0]]["doc_count"] for label in ("positive", "negative", "all")}
    assert counts["positive"] < counts["negative"]


@pytest.mark.parametrize("field", ["platform", "language"])
def test_platform_and_language_splits(demo, field):
    _es, _tag, mentions, truth, _anchor = demo
    users = [m for m in mentions if not m.author_is_brand]
    panel = targets("buzz")["Platforms" if field == "platform" else "Languages"]
    shown = {k: b["doc_count"] for k, b in buckets(search(demo, panel)["aggregations"]["2"]).items()}
    if field == "platform":
        assert shown == Counter(m.platform for m in users)
        return
    # Seeded mentions carry no language (enrichment detects it): the split is compared with the
    # truth's language, exact in total, off by at most the detector's error (README: 98.6-99.4 %).
    true = Counter(truth.language[m.id] for m in users)
    off = sum(abs(shown.get(k, 0) - true.get(k, 0)) for k in set(shown) | set(true)) / 2
    print("languages: panel", shown, "truth", dict(true), "misplaced", off)
    assert sum(shown.values()) == len(users) and off <= 0.015 * len(users)


def test_alert_list_shows_the_spike_alert(demo):
    _es, _tag, _m, truth, _anchor = demo
    start, end, brand = truth.spike
    rows = [h["_source"] for h in search(demo, targets("alerts")["Alerts, with their explanation"])["hits"]["hits"]]
    print("alerts", [(r["at"], r["brand"], r["kind"], r["window"], r["severity"], r["observed"]) for r in rows])
    negative = [r for r in rows if r["brand"] == brand and r["kind"] in ("negative_spike", "negative_share")]
    assert negative
    for row in negative:
        assert start <= datetime.fromisoformat(row["window_start"]) and datetime.fromisoformat(row["at"]) <= end


# -- alert rules: their queries and thresholds on the demo data ------------------------------


def _rules():
    from grafana_foundation_sdk.cog.encoder import JSONEncoder

    from dashboards import rules

    return {r["uid"]: r for r in (json.loads(json.dumps(rule.build(), cls=JSONEncoder)) for rule in rules.rules())}


def evaluate(demo, rule, at):
    """The rule's condition per brand (series) at ``at``: each Elasticsearch query over its
    relative range, reduce = sum of the hourly counts, math = the expression per series."""
    es, tag, *_rest = demo
    values: dict[str, dict[str, float]] = {}
    for query in rule["data"]:
        model = query["model"]
        if query["datasourceUid"] != "__expr__":
            span = query["relativeTimeRange"]
            kind, body = queries.es_request(model, at - timedelta(seconds=span["from"]), at - timedelta(seconds=span["to"]))
            reply = es.search(index=alias(tag, kind), **body)
            values[query["refId"]] = {brand: sum(h["doc_count"] for h in b["9"]["buckets"])
                                      for brand, b in buckets(reply["aggregations"]["2"]).items()}
        elif model["type"] == "reduce":
            assert model["reducer"] == "sum"
            values[query["refId"]] = dict(values[model["expression"]])
        else:  # math: $X refs, numbers, > >= && only
            brands = set().union(*values.values())
            expression = model["expression"].replace("&&", " and ")
            values[query["refId"]] = {brand: eval(re.sub(r"\$(\w+)", lambda m: repr(float(values[m.group(1)].get(brand, 0))),
                                                         expression)) for brand in brands}
    return {brand for brand, fired in values[rule["condition"]].items() if fired}


def test_alert_rules_fire_after_the_spike_and_not_at_a_quiet_hour(demo):
    """Checks the rules' queries and thresholds on the seeded data, with Grafana's reduce (sum)
    and math expressions evaluated here; not Grafana's evaluation engine (no Grafana runs).
    The replies index holds each item's state as of the run, so a past evaluation
    time sees that state, not the one Grafana would have seen then."""
    _es, _tag, _m, truth, _anchor = demo
    start, end, brand = truth.spike
    quiet = start - timedelta(days=1)  # the same hour the day before the incident
    rules = _rules()
    # The alert rule looks back 15 minutes: evaluated every 5 minutes (the group's interval)
    # across the spike, it fires once the detector's alert is written, and only then.
    alerted = rules["passaparola-negative-alerts"]
    steps = [start + timedelta(minutes=5 * i) for i in range(int((end - start).total_seconds() // 300) + 13)]
    fired_at = [at for at in steps if brand in evaluate(demo, alerted, at)]
    print("negative alert rule fires at", [at.strftime("%H:%M") for at in fired_at])
    assert fired_at and all(start < at <= end + timedelta(minutes=15) for at in fired_at)
    assert not evaluate(demo, alerted, quiet)
    volume = rules["passaparola-negative-volume"]
    assert evaluate(demo, volume, end + timedelta(minutes=5)) == {brand}
    assert not evaluate(demo, volume, quiet)


def test_sla_breach_rule_fires_where_the_truth_says(demo):
    """Evaluated every six hours through the stream: the brands it fires for are those with
    at least the minimum of items due in the past 24 hours and over half of them not answered
    in time per the generator's truth. (The demo brands answer a quarter of complaints, so
    it fires somewhere; when depends on the weekday, since SLAs count business hours.)"""
    *_rest, mentions, _truth, _anchor = demo
    clock = max(m.published_at for m in mentions)
    rule = _rules()["passaparola-sla-breach-rate"]
    fired = {}
    for step in range(13):
        at = clock - timedelta(hours=6 * step)
        expected = {brand for brand, (due, late) in _due_truth(demo, at - timedelta(hours=24), at).items()
                    if due >= rules_module.SLA_MIN_ITEMS and late / due > rules_module.SLA_BREACH_RATE}
        fired[at.strftime("%a %H:%M")] = sorted(evaluate(demo, rule, at))
        assert set(fired[at.strftime("%a %H:%M")]) == expected, at
    print("SLA breach rule fires", fired)
    assert any(fired.values()) and not all(fired.values())
