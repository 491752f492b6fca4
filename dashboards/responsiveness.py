"""Responsiveness: whether and how fast the brands answer, from the reply tracker's index."""

from __future__ import annotations

from grafana_foundation_sdk.builders import barchart, stat, table, timeseries
from grafana_foundation_sdk.builders import elasticsearch as es
from grafana_foundation_sdk.models.common import StackingConfig, StackingMode

from dashboards.common import (
    REPLIES,
    REPLIES_DUE,
    base,
    binary,
    count,
    filters,
    histogram,
    raw,
    scope,
    standard_variables,
    target,
    terms,
    transformation,
)

UID = "passaparola-responsiveness"
OWED = "_exists_:sla_seconds"  # items that expect an answer within an SLA
ANSWERED = "kind:brand_reply"
BREACH = "(kind:unanswered OR late:true)"
#: Of the items whose SLA came due, the ones not answered in time (a ``pending`` item past its
#: due date is a breach the tracker has not flagged yet: its SLA tick is still to come).
NOT_IN_TIME = "NOT (kind:brand_reply AND late:false)"
OPEN = "kind:unanswered AND NOT _exists_:replied_at"
AGES = {
    "under 4h": "opened_at:[now-4h TO *]",
    "4h to 1d": "opened_at:[now-1d TO now-4h}",
    "1d to 3d": "opened_at:[now-3d TO now-1d}",
    "over 3d": "opened_at:{* TO now-3d}",
}


def _where(*clauses: str) -> str:
    return scope(*clauses, language=False)


def _reply_rate(by: str) -> barchart.Panel:
    """Items per ``by`` and state; stacked to 100 % the brand_reply part is the reply rate."""
    return (
        barchart.Panel().title(f"Reply rate by {by}").span(12).height(8)
        .description("Share of items owed an answer (with an SLA) in each state; brand_reply is the reply rate.")
        .with_target(target(REPLIES, _where(OWED), [count()], [terms(by, 10), terms("kind", 5, "3")]))
        .with_transformation(transformation("groupingToMatrix", columnField="kind", rowField=by, valueField="Count"))
        .stacking(StackingConfig(mode=StackingMode.PERCENT)).unit("percentunit")
    )


def _response_time(by: str) -> table.Panel:
    """Median and 90th percentile of the first response, per ``by`` (core percentiles aggregation)."""
    percentiles = es.Percentiles().id("1").field("response_seconds").settings(
        es.ElasticsearchPercentilesSettings().percents(["50", "90"]))
    return (
        table.Panel().title(f"First response time by {by} (median, p90)").span(12).height(8)
        .with_target(target(REPLIES, _where(OWED, ANSWERED), [percentiles, count()], [terms(by, 10)]))
        .unit("s")
    )


def _queue() -> barchart.Panel:
    return (
        barchart.Panel().title("Unanswered queue by age").span(8).height(8)
        .description("Items past their SLA with no answer yet, by how long ago they were written.")
        .with_target(target(REPLIES, _where(OPEN), [count()], [filters("2", **AGES)]))
    )


#: Rows the unanswered table fetches: Elasticsearch's raw-data query returns the newest, so the
#: oldest waiting items are only there if the queue in the time range is at most this long.
QUEUE_ROWS = 500


def _queue_table() -> table.Panel:
    """The items still waiting, oldest first (the next to answer), each linking to the mention."""
    from grafana_foundation_sdk.builders.common import TableSortByFieldState
    from grafana_foundation_sdk.models.dashboard import DynamicConfigValue

    # Grafana's field data link (no model in the SDK): the cell's own URL, in a new tab.
    link = {"title": "Open the mention", "url": "${__value.raw}", "targetBlank": True}
    return (
        table.Panel().title("Unanswered, oldest first").span(16).height(8)
        .description(f"Items past their SLA with no answer, the longest waiting first (up to {QUEUE_ROWS}); "
                     "click a URL to open the mention.")
        .with_target(raw(REPLIES, _where(OPEN), QUEUE_ROWS))
        .sort_by([TableSortByFieldState().display_name("opened_at").desc(False)])
        .override_by_name("url", [DynamicConfigValue(id_val="links", value=[link])])
    )


def _breaches() -> timeseries.Panel:
    return (
        timeseries.Panel().title("SLA breaches by intent").span(16).height(8)
        .description("Items answered late or not at all, per hour they were written.")
        .with_target(target(REPLIES, _where(OWED, BREACH), [count()], [terms("intent", 10), histogram(REPLIES)],
                            alias="{{intent}}"))
    )


def _breach_rate() -> stat.Panel:
    return (
        stat.Panel().title("SLA breach rate, items due in range").span(8).height(8)
        .description("Of the items whose SLA came due in the time range, those not answered in time.")
        .with_target(target(REPLIES_DUE, _where(OWED), [count()], [filters("2", breached=NOT_IN_TIME, due="*")]))
        # The filters query gives one table frame, a row per filter: rows to fields (breached,
        # due), then their ratio alone; without these the stat showed a count.
        .with_transformation(transformation("rowsToFields"))
        .with_transformation(binary("breached", "/", "due", "breach rate"))
        .with_transformation(transformation("organize", excludeByName={"breached": True, "due": True}))
        .unit("percentunit").decimals(1)
    )


def dashboard():
    """The Responsiveness dashboard builder."""
    board = base(UID, "Passaparola: responsiveness", "Reply rate, first-response time, unanswered queue, SLA breaches.",
                 standard_variables(REPLIES, language=False))
    for panel in (_reply_rate("intent"), _reply_rate("platform"), _response_time("intent"), _response_time("platform"),
                  _queue(), _queue_table(), _breaches(), _breach_rate()):
        board = board.with_panel(panel)
    return board
