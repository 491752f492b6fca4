"""The generated provisioning files: fresh, and valid against grafana-foundation-sdk's typed
models and Grafana's documented provisioning format. No Grafana server runs here."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.alerting import ContactPoint, Rule
from grafana_foundation_sdk.models.dashboard import Dashboard

from dashboards import build, queries
from dashboards.alerts import ANNOTATION_FIELDS
from dashboards.common import SOURCES

DATASOURCES = build.PROVISIONING / "datasources" / "elasticsearch.yaml"


def _plain(value):
    return json.loads(json.dumps(value, cls=JSONEncoder))


def test_committed_files_are_the_build_output():
    stale = [str(p.relative_to(build.PROVISIONING)) for p, text in build.outputs().items()
             if not p.is_file() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"run `python -m dashboards.build`: stale {stale}"


def test_build_is_reproducible_and_writes_where_asked(tmp_path):
    written = build.build(tmp_path)
    assert sorted(p.name for p in written) == ["alerts.json", "buzz.json", "contact-points.yaml", "promo.json",
                                               "responsiveness.json", "rules.yaml"]
    assert all(p.parent == tmp_path for p in written)
    assert {p.name: p.read_text() for p in written} == {p.name: t for p, t in build.outputs().items()}


@pytest.mark.parametrize("name", sorted(build.MODULES))
def test_dashboard_round_trips_through_the_sdk_model(name):
    data = json.loads((build.JSON_DIR / f"{name}.json").read_text())
    again = _plain(Dashboard.from_json(data).to_json())
    for annotation in data.get("annotations", {}).get("list", []):
        extra = {k: annotation.pop(k) for k in list(annotation) if k in ANNOTATION_FIELDS}
        assert extra in ({}, ANNOTATION_FIELDS), "only the Elasticsearch annotation fields are outside the model"
    assert again == data


@pytest.mark.parametrize("name", sorted(build.MODULES))
def test_every_panel_is_placed_titled_and_queries_a_provisioned_source(name):
    data = json.loads((build.JSON_DIR / f"{name}.json").read_text())
    provisioned = {s["uid"]: s for s in yaml.safe_load(DATASOURCES.read_text())["datasources"]}
    assert data["uid"] == f"passaparola-{name}" and data["panels"]
    for panel in data["panels"]:
        assert panel["title"] and set(panel["gridPos"]) == {"x", "y", "w", "h"}
        assert panel["targets"], panel["title"]
        for t in panel["targets"]:
            source = provisioned[t["datasource"]["uid"]]
            assert t["timeField"] == source["jsonData"]["timeField"] == SOURCES[source["uid"]].time_field
            queries.es_request(t, *_range())  # core aggregations only, or it raises
    for variable in data["templating"]["list"]:
        assert variable["datasource"]["uid"] in provisioned and variable["allValue"] == "*"


def _pies():
    for name in sorted(build.MODULES):
        for panel in json.loads((build.JSON_DIR / f"{name}.json").read_text())["panels"]:
            if panel["type"] == "piechart":
                yield pytest.param(panel, id=f"{name}: {panel['title']}")


@pytest.mark.parametrize("panel", list(_pies()))
def test_a_pie_over_one_table_frame_shows_a_slice_per_row_with_a_legend(panel):
    """Grafana's Elasticsearch data source answers a count split by terms or filters, with no
    date histogram, as one table frame (a string column, a count column). A pie chart that
    reduces fields ("Calculate", values false) sums the count column into one slice; with
    "All values" each row is a slice named by its string column."""
    for t in panel["targets"]:
        assert not [a for a in t["bucketAggs"] if a["type"] == "date_histogram"], "a time series is not one table"
        assert {a["type"] for a in t["bucketAggs"]} <= {"terms", "filters"}
    assert panel["options"]["reduceOptions"]["values"] is True, panel["title"]
    legend = panel["options"]["legend"]
    assert legend["showLegend"] is True and legend["displayMode"] != "hidden"


@pytest.mark.parametrize("name", sorted(build.MODULES))
def test_dashboards_show_the_viewers_time_not_utc(name):
    assert json.loads((build.JSON_DIR / f"{name}.json").read_text())["timezone"] == "browser"


def test_the_breach_rate_is_a_ratio_of_its_two_filters():
    """Its filters query answers one table frame, a row per filter (breached, due): rows become
    fields, and the panel shows breached / due as a percentage, not a count."""
    board = json.loads((build.JSON_DIR / "responsiveness.json").read_text())
    (panel,) = [p for p in board["panels"] if p["title"].startswith("SLA breach rate")]
    (labels,) = [[f["label"] for f in a["settings"]["filters"]] for a in panel["targets"][0]["bucketAggs"]]
    steps = [t["id"] for t in panel["transformations"]]
    assert steps == ["rowsToFields", "calculateField", "organize"]
    ratio = panel["transformations"][1]["options"]
    assert (ratio["binary"]["left"], ratio["binary"]["operator"], ratio["binary"]["right"]) == ("breached", "/", "due")
    hidden = {k for k, v in panel["transformations"][2]["options"]["excludeByName"].items() if v}
    assert {"breached", "due"} == set(labels) == hidden
    assert panel["fieldConfig"]["defaults"]["unit"] == "percentunit"


def test_the_unanswered_table_is_oldest_first_and_links_to_each_mention():
    """The next to answer is the longest waiting; a team acts on a mention by opening it."""
    board = json.loads((build.JSON_DIR / "responsiveness.json").read_text())
    (panel,) = [p for p in board["panels"] if p["title"].startswith("Unanswered,")]
    assert panel["options"]["sortBy"] == [{"displayName": "opened_at", "desc": False}]
    (override,) = panel["fieldConfig"]["overrides"]
    assert override["matcher"] == {"id": "byName", "options": "url"}
    (links,) = [p["value"] for p in override["properties"] if p["id"] == "links"]
    assert links == [{"title": "Open the mention", "url": "${__value.raw}", "targetBlank": True}]
    size = int(panel["targets"][0]["metrics"][0]["settings"]["size"])
    assert size >= 500, "raw data comes newest first: fetch enough that the oldest waiting items are in"


def test_net_sentiment_is_one_panel_per_selected_brand_and_share_of_voice_has_a_trend():
    board = json.loads((build.JSON_DIR / "buzz.json").read_text())
    panels = {p["title"]: p for p in board["panels"]}
    net = panels["Net sentiment: $brand"]
    assert (net["repeat"], net["repeatDirection"]) == ("brand", "h")  # one line per brand, never a mix
    assert "$brand" in net["targets"][0]["query"]
    trend = panels["Share of voice over time (all brands)"]
    (t,) = trend["targets"]
    assert [a["type"] for a in t["bucketAggs"]] == ["terms", "date_histogram"] and t["bucketAggs"][0]["field"] == "brand"
    assert "$brand" not in t["query"]  # every brand, competitors included
    assert trend["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"] == "percent"


def _range():
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    return now - timedelta(days=7), now


def test_datasources_cover_every_source_the_dashboards_use():
    data = yaml.safe_load(DATASOURCES.read_text())
    assert data["apiVersion"] == 1
    got = {s["uid"]: (s["jsonData"]["index"], s["jsonData"]["timeField"]) for s in data["datasources"]}
    assert got == {s.uid: (f"passaparola-{s.kind}-*", s.time_field) for s in SOURCES.values()}
    assert sum(bool(s.get("isDefault")) for s in data["datasources"]) == 1


def test_alert_rules_file_follows_the_provisioning_format():
    data = yaml.safe_load((build.ALERTING_DIR / "rules.yaml").read_text())
    assert data["apiVersion"] == 1
    (group,) = data["groups"]
    assert {"orgId", "name", "folder", "interval", "rules"} <= set(group)
    uids = set()
    for rule in group["rules"]:
        assert {"uid", "title", "condition", "data", "for", "noDataState", "execErrState"} <= set(rule)
        restored = json.loads(json.dumps(rule).replace("$$", "$"))  # what Grafana reads after expansion
        model = Rule.from_json(restored | {"folderUID": "f", "ruleGroup": group["name"], "orgID": 1})
        assert _plain(model.to_json())["data"] == restored["data"]
        refs = {q["refId"] for q in rule["data"]}
        assert rule["condition"] in refs
        for query in rule["data"]:
            assert query["datasourceUid"] in set(SOURCES) | {"__expr__"}
            for used in set(re.findall(r"\$(\w+)", query["model"].get("expression", "").replace("$$", "$"))):
                assert used in refs
        uids.add(rule["uid"])
    assert len(uids) == len(group["rules"]) == 3


def test_contact_point_webhook_url_comes_from_the_environment():
    data = yaml.safe_load((build.ALERTING_DIR / "contact-points.yaml").read_text())
    (point,) = data["contactPoints"]
    (receiver,) = point["receivers"]
    model = ContactPoint.from_json(receiver | {"name": point["name"]})
    assert model.type_val == "webhook" and receiver["settings"]["url"] == "${ALERT_WEBHOOK_URL}"
    assert data["policies"][0]["receiver"] == point["name"]
