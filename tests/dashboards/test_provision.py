"""``passaparola dashboards provision``: files turned into API payloads, and clear failures.

No Grafana server exists on these machines, so nothing here shows that Grafana accepts the
payloads; these tests pin the translation (variables, escaping, folder, uids) and that the
command fails with one clear line instead of a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dashboards import provision as p

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
        p.provision("http://127.0.0.1:9", None, None, None)


@pytest.mark.parametrize("credentials", [{}, {"PASSAPAROLA_SECRETS__GRAFANA_TOKEN": "t0k3n"}])
def test_the_command_fails_with_one_line(credentials):
    env = {k: v for k, v in os.environ.items()
           if k not in ("GRAFANA_USER", "GRAFANA_PASSWORD", "PASSAPAROLA_SECRETS__GRAFANA_TOKEN")}
    done = subprocess.run([sys.executable, "-m", "passaparola", "dashboards", "provision", "--url", "http://127.0.0.1:9"],
                          env={**env, **credentials, "PASSAPAROLA_LOG_JSON": "false"}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "t0k3n" not in done.stderr
