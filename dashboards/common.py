"""Shared pieces of the dashboards: datasources, variables, Elasticsearch targets, filters.

Every panel query is an Elasticsearch target of Grafana's own query model (lucene query,
metrics, bucket aggregations) built with grafana-foundation-sdk; :mod:`dashboards.queries`
turns such a target into the search request Grafana sends, so tests run it on real data.
Only core aggregations are used (terms, date_histogram, filters, count, max, cardinality,
percentiles): ratios (net sentiment, reply rate, shares) are Grafana transformations over
counts, never pipeline aggregations or scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import elasticsearch as es
from grafana_foundation_sdk.cog import builder as cog
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models.elasticsearch import TermsOrder


@dataclass(frozen=True)
class Source:
    """One provisioned Elasticsearch datasource: the index kind it reads and its time field."""

    uid: str
    name: str
    kind: str
    time_field: str

    def ref(self) -> dm.DataSourceRef:
        return dm.DataSourceRef(type_val="elasticsearch", uid=self.uid)


MENTIONS = Source("passaparola-mentions", "Passaparola mentions", "mentions", "published_at")
REPLIES = Source("passaparola-replies", "Passaparola replies", "replies", "event_at")
ALERTS = Source("passaparola-alerts", "Passaparola alerts", "alerts", "at")
#: The same reply-tracker documents dated by when their SLA came due: a breach rate over the
#: items due in a time range is settled (each was answered in time, late or not at all), where
#: one over the items *opened* in a range still counts the ones not due yet as kept.
REPLIES_DUE = Source("passaparola-replies-due", "Passaparola replies by SLA due date", "replies", "due_at")
SOURCES = {s.uid: s for s in (MENTIONS, REPLIES, REPLIES_DUE, ALERTS)}

#: Lucene clauses the variables add to every query of a dashboard, per index kind.
USERS = "author_is_brand:false"
NOT_DUPLICATE = "NOT _exists_:duplicate_of"


def scope(*clauses: str, brand: bool = True, platform: bool = True, language: bool = True) -> str:
    """A lucene query: ``clauses`` AND the dashboard variables that apply."""
    parts = list(clauses)
    parts += ["brand:$brand"] if brand else []
    parts += ["platform:$platform"] if platform else []
    parts += ["language:$language"] if language else []
    return " AND ".join(parts)


def variable(name: str, label: str, source: Source) -> db.QueryVariable:
    """A multi-value variable listing a keyword field's values; "All" stands for ``*``."""
    return (
        db.QueryVariable(name)
        .label(label)
        .datasource(source.ref())
        .query(f'{{"find": "terms", "field": "{name}"}}')
        .multi(True)
        .include_all(True)
        .all_value("*")
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .current(dm.VariableOption(selected=True, text="All", value="$__all"))
    )


def count() -> es.Count:
    return es.Count().id("1")


def histogram(source: Source, interval: str = "1h", bucket_id: str = "9") -> es.DateHistogram:
    return (
        es.DateHistogram().id(bucket_id).field(source.time_field)
        .settings(es.ElasticsearchDateHistogramSettings().interval(interval).min_doc_count("0"))
    )


def terms(field: str, size: int = 10, bucket_id: str = "2", order_by: str = "_count") -> es.Terms:
    return (
        es.Terms().id(bucket_id).field(field)
        .settings(es.ElasticsearchTermsSettings().size(str(size)).order(TermsOrder.DESC).order_by(order_by).min_doc_count("1"))
    )


def filters(bucket_id: str = "3", **labelled: str) -> es.Filters:
    """A filters bucket; keyword arguments are label=lucene query."""
    return es.Filters().id(bucket_id).settings(
        es.ElasticsearchFiltersSettings().filters([es.Filter().label(label).query(q) for label, q in labelled.items()])
    )


def target(
    source: Source, query: str, metrics: list[cog.Builder], buckets: list[cog.Builder], ref: str = "A", alias: str = ""
) -> es.Dataquery:
    """An Elasticsearch target; ``buckets`` nest outermost first, as in Grafana's editor."""
    built = (
        es.Dataquery().ref_id(ref).datasource(source.ref()).query(query).time_field(source.time_field)
        .metrics(metrics).bucket_aggs(buckets)
    )
    return built.alias(alias) if alias else built


def raw(source: Source, query: str, size: int = 50, ref: str = "A") -> es.Dataquery:
    """Documents themselves (newest first), for tables of mentions or alerts."""
    return target(source, query, [es.RawData().id("1").settings(es.ElasticsearchRawDataSettings().size(str(size)))], [], ref)


def transformation(id_val: str, **options: object) -> dm.DataTransformerConfig:
    return dm.DataTransformerConfig(id_val=id_val, options=options)


def binary(left: str, operator: str, right: str, alias: str) -> dm.DataTransformerConfig:
    """A calculated field ``left operator right`` (Grafana's calculateField, binary mode)."""
    return transformation("calculateField", mode="binary", alias=alias,
                          binary={"left": left, "operator": operator, "right": right}, replaceFields=False)


def base(uid: str, title: str, description: str, variables: list[cog.Builder]) -> db.Dashboard:
    """A dashboard with the project's defaults: last 7 days, the viewer's time zone, refresh
    every minute. Not UTC: a team in Rome reads its business hours and daily peaks in its own
    time (each user can still choose another in Grafana's preferences)."""
    board = (
        db.Dashboard(title).uid(uid).description(description).tags(["passaparola"]).timezone("browser")
        .time("now-7d", "now").refresh("1m").editable()
    )
    for var in variables:
        board = board.with_variable(var)
    return board


def standard_variables(source: Source = MENTIONS, language: bool = True) -> list[db.QueryVariable]:
    chosen = [variable("brand", "Brand", source), variable("platform", "Platform", source)]
    return chosen + ([variable("language", "Language", source)] if language else [])


def pie_rows():
    """A slice per row of the one table frame a terms (or filters) query gives, named by its
    string column. Reducing fields instead ("calculate", values false) would sum the count
    column into a single slice."""
    from grafana_foundation_sdk.builders.common import ReduceDataOptions

    return ReduceDataOptions().values(True).calcs([]).limit(50)


def pie_legend():
    """A visible legend: the slices are labelled by percent only."""
    from grafana_foundation_sdk.builders.piechart import PieChartLegendOptions
    from grafana_foundation_sdk.models.common import LegendDisplayMode, LegendPlacement
    from grafana_foundation_sdk.models.piechart import PieChartLegendValues

    return (PieChartLegendOptions().show_legend(True).display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.RIGHT).values([PieChartLegendValues.VALUE, PieChartLegendValues.PERCENT]))
