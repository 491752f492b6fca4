"""Push the provisioned files to an existing Grafana through its HTTP API (grafana-client).

The files docker-compose mounts (``dashboards/provisioning``) are the source: datasources,
the *Passaparola* folder, the dashboards, the alert rules and the webhook contact point.
Every object has a stable uid, so a rerun updates in place (idempotent). Variables the files
leave to Grafana's own expansion (``${ES_URL}``, ``$ES_PASSWORD``, ``${ALERT_WEBHOOK_URL}``)
are taken from the environment here; ``$$`` (escaped for file provisioning) becomes ``$``.

The payloads are built here; grafana-client pushes them from a process of its own
(:mod:`dashboards.grafana_push`), so its urllib3 fork never enters the product's environment.
tests/dashboards/test_provision.py checks the payloads and the push against a local server
that answers as Grafana's HTTP API documents.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from core.logs import redact_url

ROOT = Path(__file__).resolve().parent / "provisioning"
FOLDER_UID, FOLDER_TITLE = "passaparola", "Passaparola"
PUSH_SCRIPT = Path(__file__).resolve().parent / "grafana_push.py"
PUSH_TIMEOUT_S = 600.0  # the whole push: every object, each request given 10 s by grafana_push


def default_python() -> Path:
    """``.venv-grafana`` beside the source, where ``make grafana-client`` puts it."""
    return Path(__file__).resolve().parents[1] / ".venv-grafana" / "bin" / "python"
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


def policy_route(env: dict[str, str]) -> dict[str, Any]:
    """The notification route for our alerts: the provisioned policy's receiver and grouping,
    matching the alerts of the Passaparola folder. Added under an existing Grafana's own root
    policy, not in place of it (the file provisioning's ``policies`` would replace the tree)."""
    (policy,) = load(ROOT / "alerting" / "contact-points.yaml", env)["policies"]
    return {"receiver": policy["receiver"], "group_by": policy["group_by"],
            "object_matchers": [["grafana_folder", "=", FOLDER_TITLE]]}


def job(url: str, credential: str | list[str], env: dict[str, str]) -> dict[str, Any]:
    """What :mod:`dashboards.grafana_push` reads on stdin: the URL, the credential and every payload."""
    return {
        "url": url, "shown_url": redact_url(url), "credential": credential,
        "datasources": datasource_payloads(env), "folder": {"uid": FOLDER_UID, "title": FOLDER_TITLE},
        "dashboards": dashboard_payloads(), "rules": rule_payloads(env),
        "contact_points": contact_point_payloads(env) if env.get("ALERT_WEBHOOK_URL") else [],
        "policy_route": policy_route(env) if env.get("ALERT_WEBHOOK_URL") else None,
    }


def provision(url: str, token: str | None, user: str | None, password: str | None, python: Path) -> dict[str, Any]:
    """Create or update everything in the Grafana at ``url``; return what was done.

    grafana-client runs in ``python``, an environment of its own (see :mod:`dashboards.grafana_push`).
    """
    credential: str | list[str] | None = token or ([user, password] if user and password else None)
    if credential is None:
        raise ProvisionError("no credentials: set PASSAPAROLA_SECRETS__GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD")
    if not python.is_file():
        raise ProvisionError(f"no Python with grafana-client at {python}: run `make grafana-client`, or set "
                             "PASSAPAROLA_DASHBOARDS_PYTHON to one")
    payload = json.dumps(job(url, credential, dict(os.environ)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSAPAROLA_")}
    try:
        done = subprocess.run([str(python), str(PUSH_SCRIPT)], input=payload, capture_output=True, text=True,
                              timeout=PUSH_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        raise ProvisionError(f"Grafana at {redact_url(url)} did not finish the push within {PUSH_TIMEOUT_S:g} s") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise ProvisionError(lines[-1] if lines else f"the Grafana push exited with {done.returncode}")
    return json.loads(done.stdout)
