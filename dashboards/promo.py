"""Organic vs promo: how much of the talk is promotion, contests and offers (``promo``)."""

from __future__ import annotations

from grafana_foundation_sdk.builders import barchart, piechart, table, timeseries

from dashboards.common import (
    MENTIONS,
    USERS,
    base,
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
)

UID = "passaparola-promo"
KINDS = {"organic": "promo:false", "promo": "promo:true"}


def dashboard():
    """The Organic vs promo dashboard builder."""
    board = base(UID, "Passaparola: organic vs promo", "Promotional noise next to organic talk.", standard_variables())
    panels = [
        timeseries.Panel().title("Organic and promo mentions").span(16).height(9)
        .with_target(target(MENTIONS, scope(USERS), [count()], [filters("3", **KINDS), histogram(MENTIONS)])),
        piechart.Panel().title("Promo share").span(8).height(9)
        .with_target(target(MENTIONS, scope(USERS), [count()], [filters("3", **KINDS)]))
        .reduce_options(pie_rows()).legend(pie_legend()),
        barchart.Panel().title("Promo mentions by brand").span(12).height(8)
        .with_target(target(MENTIONS, scope(USERS, "promo:true"), [count()], [terms("brand")])),
        table.Panel().title("Latest promo mentions").span(12).height(8)
        .with_target(raw(MENTIONS, scope(USERS, "promo:true"), 50)),
    ]
    for panel in panels:
        board = board.with_panel(panel)
    return board
