"""Alert rules and the webhook contact point, in Grafana's file provisioning format.

Rules are built with grafana-foundation-sdk's alerting models (the HTTP API shape) and
written as a provisioning file: ``groups`` with ``orgId``/``name``/``folder``/``interval``
and the rules without the API-only ``folderUID``/``ruleGroup``/``orgID``. Each rule's
Elasticsearch queries are counts over a relative time range; the decision is a math
expression over their reductions, so no pipeline aggregation or script is needed.
"""

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import alerting as al
from grafana_foundation_sdk.builders import expr
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.alerting import RelativeTimeRange

from dashboards.common import ALERTS, MENTIONS, REPLIES_DUE, USERS, Source, count, histogram, target, terms
from dashboards.responsiveness import NOT_IN_TIME

FOLDER = "Passaparola"
GROUP = "passaparola"
CONTACT_POINT = "passaparola-webhook"
EXPR = "__expr__"
HOUR = 3600


def es_query(ref: str, source: Source, query: str, seconds_ago: tuple[int, int], by_brand: bool = True) -> al.Query:
    """Counts per brand (one series each) over ``seconds_ago`` = (from, to) before evaluation."""
    buckets = [terms("brand", 20), histogram(source, "1h")] if by_brand else [histogram(source, "1h")]
    model = target(source, query, [count()], buckets, ref)
    return (
        al.Query(ref).datasource_uid(source.uid).relative_time_range(RelativeTimeRange(from_val=seconds_ago[0],
                                                                                       to=seconds_ago[1]))
        .model(model)
    )


def _expression(ref: str, built: Any) -> al.Query:
    return al.Query(ref).datasource_uid(EXPR).relative_time_range(RelativeTimeRange(0, 0)).model(built)


def _sum(ref: str, of: str) -> al.Query:
    return _expression(ref, expr.TypeReduce().ref_id(ref).expression(of).reducer("sum"))


def _math(ref: str, expression: str) -> al.Query:
    return _expression(ref, expr.TypeMath().ref_id(ref).expression(expression))


def _rule(uid: str, title: str, queries: list[al.Query], summary: str, wait: str = "0s") -> al.Rule:
    rule = (
        al.Rule(title).uid(uid).condition(queries[-1].build().ref_id).for_val(wait).no_data_state("OK")
        .exec_err_state("Error").org_id(1).folder_uid(FOLDER).rule_group(GROUP)
        .labels({"team": "reputation", "source": "passaparola"})
        .annotations({"summary": summary, "runbook": "Open the Passaparola alerts dashboard"})
    )
    for query in queries:
        rule = rule.with_query(query)
    return rule


#: Thresholds of the rules; tests evaluate the same figures on the demo data.
SPIKE_FACTOR = 3.0  # last hour's negatives over the previous 23 hours' hourly mean
SPIKE_MIN = 10  # and at least this many negatives in the hour
SLA_BREACH_RATE = 0.5  # items not answered in time over items that came due, last 24 hours
SLA_MIN_ITEMS = 10


def rules() -> list[al.Rule]:
    negative = f"{USERS} AND sentiment.label:negative"
    owed = "_exists_:sla_seconds"
    return [
        _rule("passaparola-negative-alerts", "Negative buzz alert raised", [
            es_query("A", ALERTS, "kind:(negative_spike OR negative_share)", (15 * 60, 0)),
            _sum("B", "A"), _math("C", "$B > 0"),
        ], "The spike detector raised a negative alert for {{ $labels.brand }}"),
        _rule("passaparola-negative-volume", "Negative volume spike", [
            es_query("A", MENTIONS, negative, (HOUR, 0)), es_query("B", MENTIONS, negative, (24 * HOUR, HOUR)),
            _sum("C", "A"), _sum("D", "B"),
            _math("E", f"$C >= {SPIKE_MIN} && $C > {SPIKE_FACTOR} * $D / 23"),
        ], "{{ $labels.brand }}: negative mentions in the last hour over 3x the hourly mean of the day before"),
        _rule("passaparola-sla-breach-rate", "SLA breach rate", [
            # Breaches as the numerator: a brand with none has no series and cannot fire, while
            # one with no on-time answer at all still has its breach series to compare.
            es_query("A", REPLIES_DUE, f"{owed} AND {NOT_IN_TIME}", (24 * HOUR, 0)),
            es_query("B", REPLIES_DUE, owed, (24 * HOUR, 0)),
            _sum("C", "A"), _sum("D", "B"),
            _math("E", f"$D >= {SLA_MIN_ITEMS} && $C / $D > {SLA_BREACH_RATE}"),
        ], "{{ $labels.brand }}: over half of the items whose SLA came due in 24 h were not answered in time", "30m"),
    ]


def _plain(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, cls=JSONEncoder))


def _escape(value: Any) -> Any:
    """Grafana expands environment variables in provisioning files: ``$`` in expressions
    (``$B``) and templates (``$labels``) is written ``$$``."""
    if isinstance(value, dict):
        return {k: _escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape(v) for v in value]
    return value.replace("$", "$$") if isinstance(value, str) else value


def rules_file() -> dict:
    """The ``alerting/rules.yaml`` document."""
    provisioned = []
    for rule in rules():
        data = _plain(rule.build())
        for api_only in ("folderUID", "ruleGroup", "orgID"):
            data.pop(api_only, None)
        provisioned.append(_escape(data))
    return {"apiVersion": 1, "groups": [{"orgId": 1, "name": GROUP, "folder": FOLDER, "interval": "5m",
                                         "rules": provisioned}]}


def contact_points_file() -> dict:
    """The ``alerting/contact-points.yaml`` document: one webhook, its URL from the environment,
    and the policy that sends Passaparola's alerts there."""
    point = al.ContactPoint().uid(CONTACT_POINT).name(CONTACT_POINT).type("webhook").settings(
        {"url": "${ALERT_WEBHOOK_URL}", "httpMethod": "POST"}).disable_resolve_message(False)
    receiver = _plain(point.build())
    receiver.pop("name")
    return {
        "apiVersion": 1,
        "contactPoints": [{"orgId": 1, "name": CONTACT_POINT, "receivers": [receiver]}],
        "policies": [{"orgId": 1, "receiver": CONTACT_POINT, "group_by": ["grafana_folder", "alertname", "brand"]}],
    }
