"""Push ready payloads to a Grafana with grafana-client: run by ``dashboards provision`` in a
Python of its own (``dashboards_python``), never imported by the product.

Why a process apart: grafana-client's HTTP stack (niquests) brings urllib3-future, which
replaces the real urllib3 for every package of the environment it lands in, the
Elasticsearch client's included. So this file imports nothing of Passaparola and nothing
but grafana-client and the standard library.

Input, on stdin, one JSON object: ``url``, ``shown_url`` (the URL fit for a message),
``credential`` (a token, or ``[user, password]``),
``datasources``, ``folder`` (``uid``, ``title``), ``dashboards``, ``rules``, ``contact_points``,
``policy_route`` (the payloads ``dashboards.provision`` builds). Output: on stdout, a JSON object of what was
done; or, on failure, one line on stderr and exit code 1. Credentials travel on stdin, not in
arguments or the environment, where other processes of the host could read them.
"""

from __future__ import annotations

import json
import sys
from typing import Any

MIN_GRAFANA_MAJOR = 9  # the alerting provisioning API


def push(job: dict[str, Any]) -> dict[str, Any]:
    from grafana_client import GrafanaApi
    from grafana_client.client import GrafanaClientError

    credential = job["credential"]
    api = GrafanaApi.from_url(job["url"], credential=tuple(credential) if isinstance(credential, list) else credential,
                              timeout=10)
    try:
        version = (api.health.check() or {}).get("version", "?")
        if not version[:2].rstrip(".").isdigit() or int(version.split(".")[0]) < MIN_GRAFANA_MAJOR:
            raise PushError(f"Grafana {version} at {job['shown_url']}: version {MIN_GRAFANA_MAJOR} or later is needed")
        return _push(api, job, version)
    except GrafanaClientError as err:
        status = getattr(err, "status_code", "?")
        hint = " (check the token or user and password)" if status in (401, 403) else ""
        raise PushError(f"Grafana at {job['shown_url']} answered HTTP {status}{hint}: {err.message}") from None


class PushError(RuntimeError):
    """The push cannot go on; the message says what to fix."""


def _push(api: Any, job: dict[str, Any], version: str) -> dict[str, Any]:
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

    for source in job["datasources"]:
        upsert(api.datasource.get_datasource_by_uid, api.datasource.create_datasource,
               api.datasource.update_datasource_by_uid, source["uid"], source)
    folder = job["folder"]
    upsert(api.folder.get_folder, lambda _: api.folder.create_folder(folder["title"], uid=folder["uid"]),
           lambda uid, _: None, folder["uid"], {})
    for payload in job["dashboards"]:
        api.dashboard.update_dashboard(payload)
    for rule in job["rules"]:
        upsert(api.alertingprovisioning.get_alertrule, api.alertingprovisioning.create_alertrule,
               api.alertingprovisioning.update_alertrule, rule["uid"], rule)
    points = job["contact_points"]
    existing = {p.get("uid") for p in api.alertingprovisioning.get_contactpoints()} if points else set()
    for point in points:
        if point["uid"] in existing:
            api.alertingprovisioning.update_contactpoint(point["uid"], point)
        else:
            api.alertingprovisioning.create_contactpoint(point)
    route = job.get("policy_route")
    if route:
        _route_alerts(api, route)
    return {"grafana": version, "datasources": len(job["datasources"]), "folder": folder["title"],
            "dashboards": len(job["dashboards"]), "alert rules": len(job["rules"]),
            "contact points": len(points) if points else "none (set ALERT_WEBHOOK_URL)",
            "notification route": f"to {route['receiver']}" if route else "none"}


def _route_alerts(api: Any, route: dict[str, Any]) -> None:
    """Put ``route`` under the Grafana's root policy, replacing an earlier one of ours (same
    matchers) and keeping every other route and the root's own receiver."""
    tree = api.alertingprovisioning.get_notification_policy_tree() or {}
    others = [r for r in tree.get("routes") or [] if r.get("object_matchers") != route["object_matchers"]]
    api.alertingprovisioning.set_notification_policy_tree({**tree, "routes": [route, *others]})


def main() -> int:
    try:
        done = push(json.load(sys.stdin))
    except PushError as err:
        print(err, file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the network, the server: one line for the caller to show
        print(f"Grafana push failed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    json.dump(done, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
