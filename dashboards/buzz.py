"""Buzz: how much is said about the brands, how it feels, where, in which language, by whom."""

from __future__ import annotations

from grafana_foundation_sdk.builders import barchart, piechart, table, timeseries
from grafana_foundation_sdk.builders import elasticsearch as es
from grafana_foundation_sdk.models import dashboard as dm

from dashboards.common import (
    ALERTS,
    MENTIONS,
    NOT_DUPLICATE,
    USERS,
    base,
    binary,
    count,
    filters,
    histogram,
    pie_legend,
    pie_rows,
    raw,
    scope,
    standard_variables,
    target,
    terms,
    transformation,
)

UID = "passaparola-buzz"


def _volume() -> timeseries.Panel:
    """Mentions per brand per hour, all of them (A) and without near-duplicates (B)."""
    return (
        timeseries.Panel().title("Mentions per brand (raw and deduplicated)").span(16).height(9)
        .description("A: every user mention. B: without near-duplicates (duplicate_of missing).")
        .with_target(target(MENTIONS, scope(USERS), [count()], [terms("brand"), histogram(MENTIONS)], "A", "{{brand}} raw"))
        .with_target(target(MENTIONS, scope(USERS, NOT_DUPLICATE), [count()], [terms("brand"), histogram(MENTIONS)], "B",
                            "{{brand}} dedup"))
        .unit("short")
    )


def _net_sentiment() -> timeseries.Panel:
    """(positive - negative) / all per 6 hours, from three counts joined on time; one panel per
    selected brand (Grafana repeats it over the brand variable), as one line for several brands
    would mix them."""
    return (
        timeseries.Panel().title("Net sentiment: $brand").span(8).height(9)
        .repeat("brand").repeat_direction("h")
        .description("(positive - negative) / all user mentions of the brand, per 6 hours; computed by "
                     "transformations from counts.")
        .with_target(target(MENTIONS, scope(USERS), [count()], [
            filters("3", positive="sentiment.label:positive", negative="sentiment.label:negative", all="*"),
            histogram(MENTIONS, "6h"),
        ]))
        .with_transformation(transformation("joinByField", byField="Time", mode="outer"))
        .with_transformation(binary("positive", "-", "negative", "difference"))
        .with_transformation(binary("difference", "/", "all", "net sentiment"))
        .with_transformation(transformation("organize", excludeByName={"positive": True, "negative": True, "all": True,
                                                                       "difference": True}))
        .unit("percentunit").min(-1).max(1)
    )


def _pie(title: str, field: str, query: str, width: int = 6) -> piechart.Panel:
    return (
        piechart.Panel().title(title).span(width).height(8)
        .with_target(target(MENTIONS, query, [count()], [terms(field, 20)]))
        .reduce_options(pie_rows()).display_labels([_percent()]).legend(pie_legend())
    )


def _percent():
    from grafana_foundation_sdk.models.piechart import PieChartLabels

    return PieChartLabels.PERCENT


def _share_of_voice_trend() -> timeseries.Panel:
    """Each brand's share of all brands' user mentions, per 6 hours, stacked to 100 %."""
    from grafana_foundation_sdk.builders.common import StackingConfig
    from grafana_foundation_sdk.models.common import StackingMode

    return (
        timeseries.Panel().title("Share of voice over time (all brands)").span(16).height(9)
        .description("Each brand's share of the user mentions of every brand, per 6 hours; the brand variable "
                     "does not apply.")
        .with_target(target(MENTIONS, scope(USERS, brand=False), [count()], [terms("brand"), histogram(MENTIONS, "6h")],
                            alias="{{brand}}"))
        .stacking(StackingConfig().mode(StackingMode.PERCENT)).unit("percentunit")
    )


def _share_of_voice() -> piechart.Panel:
    """Every brand, competitors included: the brand variable does not narrow it."""
    return _pie("Share of voice (all brands)", "brand", scope(USERS, brand=False)).description(
        "User mentions per brand, competitors included; the brand variable does not apply.")


def _top(title: str, field: str, query: str, size: int = 10, source=MENTIONS) -> barchart.Panel:
    return (
        barchart.Panel().title(title).span(6).height(8)
        .with_target(target(source, query, [count()], [terms(field, size)]))
        .orientation(_horizontal())
    )


def _horizontal():
    from grafana_foundation_sdk.models.common import VizOrientation

    return VizOrientation.HORIZONTAL


def _authors() -> table.Panel:
    """Authors ordered by reach (their largest follower count), with how often they wrote."""
    return (
        table.Panel().title("Top authors by reach").span(12).height(9)
        .with_target(target(MENTIONS, scope(USERS), [es.Max().id("4").field("author.followers"), count()],
                            [terms("author.handle", 15, order_by="4")]))
    )


def _negative() -> table.Panel:
    link = {"title": "open the mention", "url": "${__value.raw}", "targetBlank": True}
    return (
        table.Panel().title("Latest negative mentions").span(12).height(9)
        .with_target(raw(MENTIONS, scope(USERS, "sentiment.label:negative"), 50))
        .with_transformation(transformation("organize", indexByName={"published_at": 0, "brand": 1, "platform": 2,
                                                                     "author.handle": 3, "text": 4, "url": 5},
                                            excludeByName=_HIDDEN))
        .override_by_name("url", [dm.DynamicConfigValue(id_val="links", value=[link])])
    )


_HIDDEN = {name: True for name in ("_id", "_index", "_type", "_source", "highlight", "sort", "id", "native_id", "source",
                                   "thread_id", "parent_id", "fetched_at", "schema_version", "keywords", "brands")}


def dashboard():
    """The Buzz dashboard builder."""
    board = base(UID, "Passaparola: buzz", "Volume, sentiment, share of voice and who drives the talk.",
                 standard_variables())
    over_represented = (
        "Terms the spike detector found over-represented in alert windows (vs. the previous day); "
        "Grafana's Elasticsearch editor has no significant_terms."
    )
    panels = [
        _volume(), _net_sentiment(), _share_of_voice(), _share_of_voice_trend(),
        _pie("Platforms", "platform", scope(USERS)), _pie("Languages", "language", scope(USERS)),
        _top("Top topics", "topics", scope(USERS)).span(6),
        _top("Top keywords in negative mentions", "keywords", scope(USERS, "sentiment.label:negative"), 15),
        _top("Over-represented terms in alerts", "terms", "brand:$brand", 15, ALERTS).description(over_represented),
        _authors(), _negative(),
    ]
    for panel in panels:
        board = board.with_panel(panel)
    return board
