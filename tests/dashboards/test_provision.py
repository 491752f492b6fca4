"""``passaparola dashboards provision``: files turned into API payloads, pushed by grafana-client
from its own environment, and clear failures.

No Grafana runs on these machines: the push goes to a local server that answers as Grafana's
HTTP API documents (grafana_api/SOURCE.md). That shows the calls and what they carry, not
that a real Grafana accepts every field of the payloads.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dashboards import provision as p
from tests.dashboards.grafana_api.fake_grafana import FakeGrafana

ENV = {"ES_URL": "http://es:9200", "ES_USER": "elastic", "ES_PASSWORD": "pa$$word", "ALERT_WEBHOOK_URL": "https://hooks.example/x"}


def test_datasources_take_the_connection_from_the_environment():
    sources = p.datasource_payloads(ENV)
    assert [s["uid"] for s in sources] == ["passaparola-mentions", "passaparola-replies", "passaparola-replies-due",
                                          "passaparola-alerts"]
    assert all(s["url"] == "http://es:9200" and s["basicAuthUser"] == "elastic" for s in sources)
    assert all(s["secureJsonData"]["basicAuthPassword"] == "pa$$word" for s in sources)  # expanded once, not twice


def test_a_missing_variable_is_named():
    with pytest.raises(p.ProvisionError, match="ES_URL"):
        p.datasource_payloads({k: v for k, v in ENV.items() if k != "ES_URL"})


def test_rules_go_to_the_passaparola_folder_with_grafana_templates_unescaped():
    rules = p.rule_payloads(ENV)
    assert len(rules) == 3 and all(r["folderUID"] == p.FOLDER_UID and r["ruleGroup"] == "passaparola" for r in rules)
    summaries = [r["annotations"]["summary"] for r in rules]
    assert all("{{ $labels.brand }}" in s and "$$" not in s for s in summaries)


def test_every_built_dashboard_is_pushed_into_the_folder_overwriting():
    payloads = p.dashboard_payloads()
    assert len(payloads) == len(list((p.ROOT / "dashboards" / "json").glob("*.json"))) == 4
    assert all(x["folderUid"] == p.FOLDER_UID and x["overwrite"] and x["dashboard"]["uid"] for x in payloads)


def test_the_contact_point_posts_to_the_webhook_from_the_environment():
    (point,) = p.contact_point_payloads(ENV)
    assert point["type"] == "webhook" and point["settings"]["url"] == "https://hooks.example/x"


def test_without_credentials_nothing_is_tried():
    with pytest.raises(p.ProvisionError, match="GRAFANA_TOKEN"):
        p.provision("http://127.0.0.1:9", None, None, None, p.default_python())


@pytest.mark.parametrize("credentials", [{}, {"PASSAPAROLA_SECRETS__GRAFANA_TOKEN": "t0k3n"}])
def test_the_command_fails_with_one_line(credentials):
    env = {k: v for k, v in os.environ.items()
           if k not in ("GRAFANA_USER", "GRAFANA_PASSWORD", "PASSAPAROLA_SECRETS__GRAFANA_TOKEN")}
    done = subprocess.run([sys.executable, "-m", "passaparola", "dashboards", "provision", "--url", "http://127.0.0.1:9"],
                          env={**env, **credentials, "PASSAPAROLA_LOG_JSON": "false"}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "t0k3n" not in done.stderr


TOKEN = "t0k3n-secret"


@pytest.fixture
def grafana():
    server = FakeGrafana(token=TOKEN).start()
    yield server
    server.stop()


def _provision(grafana, token=TOKEN, env=ENV):
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return p.provision(grafana.url, token, None, None, p.default_python())
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_a_first_push_creates_everything_with_the_token(grafana):
    done = _provision(grafana)
    assert done == {"grafana": "12.4.3", "datasources": 4, "folder": "Passaparola", "dashboards": 4, "alert rules": 3,
                    "contact points": 1, "notification route": "to passaparola-webhook"}
    created = grafana.made("POST", r"/api/datasources")
    assert [c.body["uid"] for c in created] == [s["uid"] for s in p.datasource_payloads(ENV)]
    assert [c.body for c in grafana.made("POST", r"/api/folders")] == [{"title": "Passaparola", "uid": "passaparola"}]
    assert len(grafana.made("POST", r"/api/dashboards/db")) == 4
    assert [c.body["uid"] for c in grafana.made("POST", r"/api/v1/provisioning/alert-rules")] == \
        [r["uid"] for r in p.rule_payloads(ENV)]
    (point,) = grafana.made("POST", r"/api/v1/provisioning/contact-points")
    assert point.body["settings"]["url"] == "https://hooks.example/x"
    assert {c.authorization for c in grafana.calls} == {f"Bearer {TOKEN}"}


def test_a_second_push_updates_in_place(grafana):
    _provision(grafana)
    first = len(grafana.calls)
    _provision(grafana)
    again = grafana.calls[first:]
    assert not [c for c in again if c.method == "POST" and c.path != "/api/dashboards/db"]  # nothing created twice
    assert len([c for c in again if c.method == "PUT"]) == 4 + 3 + 1 + 1  # datasources, rules, contact point, policy
    assert len(grafana.policy_tree["routes"]) == 1  # our route replaced, not added twice


def test_a_refused_token_is_one_line_without_the_token(grafana):
    with pytest.raises(p.ProvisionError) as refused:
        _provision(grafana, token="wrong-token")
    message = str(refused.value)
    assert message.startswith(f"Grafana at {grafana.url} answered HTTP 401 (check the token or user and password)")
    assert "wrong-token" not in message and "\n" not in message


def test_an_old_grafana_is_refused_before_anything_is_pushed(grafana):
    grafana.version = "8.5.1"
    with pytest.raises(p.ProvisionError, match="Grafana 8.5.1 at .*: version 9 or later is needed"):
        _provision(grafana)
    assert [c.path for c in grafana.calls] == ["/api/frontend/settings"]


def test_without_webhook_no_contact_point_is_pushed(grafana):
    done = _provision(grafana, env={k: v for k, v in ENV.items() if k != "ALERT_WEBHOOK_URL"} | {"ALERT_WEBHOOK_URL": ""})
    assert done["contact points"] == "none (set ALERT_WEBHOOK_URL)" and not grafana.made("POST", r".*contact-points")


def test_alerts_are_routed_to_the_webhook_under_the_grafanas_own_policy(grafana):
    """The route is added under the root policy; the team's root receiver and routes stay."""
    theirs = {"receiver": "ops-pager", "object_matchers": [["team", "=", "ops"]]}
    grafana.policy_tree = {"receiver": "grafana-default-email", "group_by": ["alertname"], "routes": [theirs]}
    _provision(grafana)
    tree = grafana.policy_tree
    assert tree["receiver"] == "grafana-default-email" and tree["group_by"] == ["alertname"]
    assert tree["routes"] == [{"receiver": "passaparola-webhook", "group_by": ["grafana_folder", "alertname", "brand"],
                               "object_matchers": [["grafana_folder", "=", "Passaparola"]]}, theirs]


def test_a_grafana_that_never_answers_is_one_line(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    monkeypatch.setattr(p, "PUSH_TIMEOUT_S", 3.0)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    try:
        with pytest.raises(p.ProvisionError, match=rf"^Grafana at {url} did not finish the push within 3 s$"):
            p.provision(url, TOKEN, None, None, p.default_python())
    finally:
        silent.close()
