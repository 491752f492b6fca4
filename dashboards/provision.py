"""Push the provisioned files to an existing Grafana through its HTTP API (grafana-client).

The files docker-compose mounts (``dashboards/provisioning``) are the source: datasources,
the *Passaparola* folder, the dashboards, the alert rules and the webhook contact point.
Every object has a stable uid, so a rerun updates in place (idempotent). Variables the files
leave to Grafana's own expansion (``${ES_URL}``, ``$ES_PASSWORD``, ``${ALERT_WEBHOOK_URL}``)
are taken from the environment here; ``$$`` (escaped for file provisioning) becomes ``$``.

The translation from files to API payloads is tested (tests/dashboards/test_provision.py);
the API calls follow grafana-client's documented methods and no test runs them on a Grafana.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent / "provisioning"
FOLDER_UID, FOLDER_TITLE = "passaparola", "Passaparola"
MIN_GRAFANA_MAJOR = 9  # the alerting provisioning API
_VAR = re.compile(r"\$\$|\$\{(\w+)\}|\$(\w+)")


class ProvisionError(RuntimeError):
    """Provisioning cannot go on; the message says what to fix."""


def expand(text: str, env: dict[str, str]) -> str:
    """Grafana's file expansion: ``${VAR}`` and ``$VAR`` from ``env``, ``$$`` to ``$``."""
    def one(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(2)
        if name not in env:
            raise ProvisionError(f"the provisioning files need {name} in the environment")
        return env[name]
    return _VAR.sub(one, text)


def load(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """The file's YAML with variables expanded in its values (comments are not values)."""
    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return expand(node, env)
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node
    return walk(yaml.safe_load(path.read_text(encoding="utf-8")))


def datasource_payloads(env: dict[str, str]) -> list[dict[str, Any]]:
    return load(ROOT / "datasources" / "elasticsearch.yaml", env)["datasources"]


def dashboard_payloads() -> list[dict[str, Any]]:
    return [{"dashboard": json.loads(p.read_text(encoding="utf-8")), "folderUid": FOLDER_UID, "overwrite": True,
             "message": "passaparola dashboards provision"}
            for p in sorted((ROOT / "dashboards" / "json").glob("*.json"))]


def rule_payloads(env: dict[str, str]) -> list[dict[str, Any]]:
    """Alert rules in the provisioning API's shape (one object per rule, folder and group named)."""
    rules = []
    for group in load(ROOT / "alerting" / "rules.yaml", env)["groups"]:
        for rule in group["rules"]:
            rules.append({**rule, "folderUID": FOLDER_UID, "ruleGroup": group["name"], "orgID": group.get("orgId", 1)})
    return rules


def contact_point_payloads(env: dict[str, str]) -> list[dict[str, Any]]:
    points = []
    for point in load(ROOT / "alerting" / "contact-points.yaml", env)["contactPoints"]:
        for receiver in point["receivers"]:
            points.append({"name": point["name"], **receiver})
    return points


def provision(url: str, token: str | None, user: str | None, password: str | None) -> dict[str, Any]:
    """Create or update everything in the Grafana at ``url``; return what was done."""
    from grafana_client import GrafanaApi
    from grafana_client.client import GrafanaClientError

    credential = token or ((user, password) if user and password else None)
    if credential is None:
        raise ProvisionError("no credentials: set PASSAPAROLA_SECRETS__GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD")
    env = dict(os.environ)
    api = GrafanaApi.from_url(url, credential=credential, timeout=10)
    try:
        version = api.health.check().get("version", "?")
        if not version[:2].rstrip(".").isdigit() or int(version.split(".")[0]) < MIN_GRAFANA_MAJOR:
            raise ProvisionError(f"Grafana {version} at {url}: version {MIN_GRAFANA_MAJOR} or later is needed")
        return _push(api, env, version)
    except GrafanaClientError as err:
        status = getattr(err, "status_code", "?")
        hint = " (check the token or user and password)" if status in (401, 403) else ""
        raise ProvisionError(f"Grafana at {url} answered HTTP {status}{hint}: {err.message}") from None


def _push(api: Any, env: dict[str, str], version: str) -> dict[str, Any]:
    from grafana_client.client import GrafanaClientError

    def upsert(get, create, update, uid: str, payload: dict) -> None:
        try:
            get(uid)
        except GrafanaClientError as err:
            if getattr(err, "status_code", None) != 404:
                raise
            create(payload)
        else:
            update(uid, payload)

    for source in datasource_payloads(env):
        upsert(api.datasource.get_datasource_by_uid, api.datasource.create_datasource,
               api.datasource.update_datasource_by_uid, source["uid"], source)
    upsert(api.folder.get_folder, lambda _: api.folder.create_folder(FOLDER_TITLE, uid=FOLDER_UID),
           lambda uid, _: None, FOLDER_UID, {})
    dashboards = dashboard_payloads()
    for payload in dashboards:
        api.dashboard.update_dashboard(payload)
    rules = rule_payloads(env)
    for rule in rules:
        upsert(api.alertingprovisioning.get_alertrule, api.alertingprovisioning.create_alertrule,
               api.alertingprovisioning.update_alertrule, rule["uid"], rule)
    points = contact_point_payloads(env) if env.get("ALERT_WEBHOOK_URL") else []
    existing = {p.get("uid") for p in api.alertingprovisioning.get_contactpoints()} if points else set()
    for point in points:
        if point["uid"] in existing:
            api.alertingprovisioning.update_contactpoint(point["uid"], point)
        else:
            api.alertingprovisioning.create_contactpoint(point)
    return {"grafana": version, "datasources": len(datasource_payloads(env)), "folder": FOLDER_TITLE,
            "dashboards": len(dashboards), "alert rules": len(rules),
            "contact points": len(points) if points else "none (set ALERT_WEBHOOK_URL)"}
