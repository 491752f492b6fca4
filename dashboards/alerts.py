"""Alerts: spike alerts as annotations on the volume graphs, and the list with explanations."""

from __future__ import annotations

from grafana_foundation_sdk.builders import barchart, table, timeseries
from grafana_foundation_sdk.builders import dashboard as db

from dashboards.common import (
    ALERTS,
    MENTIONS,
    USERS,
    base,
    count,
    histogram,
    raw,
    scope,
    standard_variables,
    target,
    terms,
    transformation,
)

UID = "passaparola-alerts"
#: Elasticsearch annotation fields Grafana reads beside the typed AnnotationQuery ones.
ANNOTATION_FIELDS = {"query": "brand:$brand", "timeField": "at", "timeEndField": "", "textField": "summary",
                     "tagsField": "kind"}


def annotation() -> db.AnnotationQuery:
    """Every alert of the selected brands, drawn at its time on every time-series panel."""
    return db.AnnotationQuery().name("Spike alerts").datasource(ALERTS.ref()).enable(True).icon_color("red")


def _volume(title: str, *clauses: str) -> timeseries.Panel:
    return (
        timeseries.Panel().title(title).span(12).height(9)
        .with_target(target(MENTIONS, scope(USERS, *clauses), [count()], [terms("brand"), histogram(MENTIONS)],
                            alias="{{brand}}"))
    )


def _list() -> table.Panel:
    shown = ["at", "brand", "kind", "window", "severity", "observed", "expected", "ratio", "summary", "terms"]
    return (
        table.Panel().title("Alerts, with their explanation").span(24).height(10)
        .with_target(raw(ALERTS, "brand:$brand", 100))
        .with_transformation(transformation("organize", indexByName={name: i for i, name in enumerate(shown)}))
    )


def dashboard():
    """The Alerts dashboard builder (its annotation's Elasticsearch fields are added by build)."""
    board = base(UID, "Passaparola: alerts", "Spike alerts on the volume they interrupt, and why they were raised.",
                 standard_variables())
    board = board.annotation(annotation())
    for panel in (
        _volume("Mentions per brand", ), _volume("Negative mentions per brand", "sentiment.label:negative"),
        barchart.Panel().title("Alerts by kind").span(8).height(8)
        .with_target(target(ALERTS, "brand:$brand", [count()], [terms("kind", 5)])),
        _list().span(16),
    ):
        board = board.with_panel(panel)
    return board
