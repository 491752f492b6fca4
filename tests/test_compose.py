"""Static checks of the Docker setup: docker-compose.yml, Dockerfile, .env.example and the
Grafana provisioning files. No Docker needed; these read the files, they run nothing.

They pin the contract between the pieces: image versions equal the local stack's
(``StackSettings``), every service has a real healthcheck, secrets only ever come from
``.env``, the workers' environment follows the settings convention, and the Grafana
provisioning reads exactly the variables Compose gives it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from core.schema import Mention
from core.settings import CONFIG_ENV, ElasticsearchSettings, Settings, StackSettings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
PYPROJECT = ROOT / "pyproject.toml"
PROVISIONING = ROOT / "dashboards" / "provisioning"
DATASOURCE_FILE = PROVISIONING / "datasources" / "elasticsearch.yaml"
DASHBOARD_PROVIDER_FILE = PROVISIONING / "dashboards" / "passaparola.yaml"

INFRA = ("kafka", "elasticsearch", "grafana", "prometheus")
# service -> the CLI group it runs (`passaparola <group> ...`)
WORKERS = {"ingest": "ingest", "streams": "streams", "sink": "sink", "notifier": "alerts"}
CLI_GROUPS = {"ingest", "streams", "sink", "alerts"}
# What Grafana posts to when .env leaves ALERT_WEBHOOK_URL empty: a name that never resolves.
UNCONFIGURED_WEBHOOK = "http://alert-webhook.invalid/not-configured"
PROMETHEUS_FILE = ROOT / "deploy" / "prometheus.yml"

GRAFANA_PROVISIONING_TARGET = "/etc/grafana/provisioning"
KAFKA_IMAGE = "apache/kafka"
ES_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch"
GRAFANA_IMAGE = "grafana/grafana"

# Environment keys whose values are secrets: they must come from .env, never be literals.
SECRET_KEY = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|WEBHOOK", re.IGNORECASE)
# A value that is one Compose interpolation and nothing else: ${VAR}, ${VAR:?msg},
# ${VAR?msg}, ${VAR:-default} or ${VAR-default}.
WHOLE_INTERPOLATION = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}$")


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data = yaml.safe_load(compose_text)
    assert isinstance(data, dict), "docker-compose.yml is not a YAML mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services = compose.get("services")
    assert isinstance(services, dict) and services, "docker-compose.yml has no services"
    return services


def env_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's `environment`, in either Compose form, as strings."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        env = {key: value for key, value in pairs}
    result = {}
    for key, value in env.items():
        if value is None:
            value = ""
        elif isinstance(value, bool):  # YAML true/false; Compose passes "true"/"false"
            value = str(value).lower()
        result[str(key)] = str(value)
    return result


def image_of(service: dict[str, Any]) -> tuple[str, str]:
    image = service.get("image", "")
    name, sep, tag = image.rpartition(":")
    assert sep and "/" not in tag, f"image {image!r} has no tag"
    return name, tag


def volume_mounts(service: dict[str, Any]) -> list[dict[str, Any]]:
    """A service's `volumes`, short syntax turned into the long one."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            mounts.append(entry)
            continue
        parts = entry.split(":")
        source, target = parts[0], parts[1]
        options = parts[2].split(",") if len(parts) > 2 else []
        is_path = source.startswith((".", "/", "~", "$"))
        mounts.append(
            {
                "type": "bind" if is_path else "volume",
                "source": source,
                "target": target,
                "read_only": "ro" in options,
            }
        )
    return mounts


def healthcheck_command(service: dict[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, str):  # the string form is run by the shell, like CMD-SHELL
        return test
    assert isinstance(test, list) and test, "no healthcheck test"
    assert test[0] in ("CMD", "CMD-SHELL"), f"healthcheck test starts with {test[0]!r}"
    return " ".join(str(part) for part in test[1:])


def interpolated_names(text: str) -> set[str]:
    """Variables a Compose file (or .env value) interpolates; `$$` is a literal dollar."""
    text = text.replace("$$", "")
    braced = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)
    bare = re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text)
    return set(braced) | set(bare)


def grafana_env_refs(value: Any) -> set[str]:
    """Environment variables a Grafana provisioning value reads ($VAR or ${VAR}; $$ escapes)."""
    if isinstance(value, dict):
        return set().union(*(grafana_env_refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(grafana_env_refs(v) for v in value))
    if isinstance(value, str):
        return interpolated_names(value)
    return set()


def documented_env_names() -> set[str]:
    """Names .env.example sets (`NAME=`) or documents as optional (`# NAME=`)."""
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*#?\s*([A-Za-z_][A-Za-z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    if current:
        logical.append(current)
    pairs = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        pairs.append((instruction.upper(), args.strip()))
    return pairs


def exec_form(args: str) -> list[str]:
    try:
        value = json.loads(args)
    except json.JSONDecodeError:
        return shlex.split(args)
    assert isinstance(value, list)
    return value


def settings_field_path(env_name: str) -> list[str]:
    """PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS -> ["kafka", "bootstrap_servers"]."""
    assert env_name.startswith("PASSAPAROLA_")
    return [part.lower() for part in env_name.removeprefix("PASSAPAROLA_").split("__")]


def is_settings_field(path: list[str]) -> bool:
    model: type[BaseModel] | None = Settings
    for part in path:
        if model is None or part not in model.model_fields:
            return False
        annotation = model.model_fields[part].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return True


def resolve_default(value: str, secret: str = "secret-from-dotenv") -> str:
    """What Compose would substitute for a whole `${VAR...}` value with no .env: its default,
    or (for a required variable) a stand-in for the value .env provides."""
    match = WHOLE_INTERPOLATION.match(value)
    if not match:
        return value
    return match.group("arg") if match.group("op") in ("-", ":-") else secret


def compose_values(value: Any) -> list[str]:
    """Every string value of the Compose model: what Compose interpolates (not comments)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in compose_values(v)]
    if isinstance(value, list):
        return [s for v in value for s in compose_values(v)]
    return [value] if isinstance(value, str) else []


# --- the file as a whole -----------------------------------------------------------------


def test_compose_file_parses(compose: dict[str, Any]) -> None:
    assert "services" in compose


@pytest.mark.parametrize("name", [*INFRA, *WORKERS])
def test_service_present(services: dict[str, dict[str, Any]], name: str) -> None:
    assert name in services, f"service {name!r} missing from docker-compose.yml"


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name}: no healthcheck"
        assert not healthcheck.get("disable"), f"{name}: healthcheck disabled"
        command = healthcheck_command(service)
        assert command.strip() and command.strip() != "NONE", f"{name}: healthcheck has no command"


@pytest.mark.parametrize("name", [*INFRA, *WORKERS])
def test_named_service_has_a_healthcheck(services: dict[str, dict[str, Any]], name: str) -> None:
    assert healthcheck_command(services[name]).strip(), f"{name}: empty healthcheck command"


def test_named_volumes_are_declared(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    declared = set(compose.get("volumes") or {})
    used = {
        mount["source"]
        for service in services.values()
        for mount in volume_mounts(service)
        if mount.get("type", "volume") == "volume" and mount.get("source")
    }
    assert used, "no service uses a named volume"
    assert used <= declared, f"named volumes used but not declared at top level: {sorted(used - declared)}"


@pytest.mark.parametrize(
    ("name", "data_dir"),
    [
        ("kafka", "/var/lib/kafka/data"),
        ("elasticsearch", "/usr/share/elasticsearch/data"),
        ("grafana", "/var/lib/grafana"),
    ],
)
def test_stateful_service_keeps_data_in_a_named_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]], name: str, data_dir: str
) -> None:
    mounts = [m for m in volume_mounts(services[name]) if m["target"] == data_dir]
    assert mounts, f"{name}: nothing mounted at {data_dir}"
    assert mounts[0].get("type", "volume") == "volume", f"{name}: {data_dir} is not a named volume"
    assert mounts[0]["source"] in (compose.get("volumes") or {}), f"{name}: volume not declared"


def test_every_interpolated_variable_is_documented(compose: dict[str, Any]) -> None:
    used = set().union(*(interpolated_names(value) for value in compose_values(compose)))
    assert {"ELASTIC_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "ALERT_WEBHOOK_URL"} <= used
    missing = used - documented_env_names()
    assert not missing, f"variables used in docker-compose.yml but not in .env.example: {sorted(missing)}"


def test_env_example_carries_no_secret_values() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert ".env" in text and "cp .env.example .env" in text, ".env.example should tell users to copy it to .env"
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.strip())
        if match and SECRET_KEY.search(match.group(1)):
            assert match.group(2).strip() == "", f".env.example sets a value for secret {match.group(1)}"


def test_secrets_come_only_from_env(services: dict[str, dict[str, Any]]) -> None:
    checked = 0
    for name, service in services.items():
        for key, value in env_of(service).items():
            if not SECRET_KEY.search(key):
                continue
            checked += 1
            match = WHOLE_INTERPOLATION.match(value)
            assert match, f"{name}: {key} is not taken from .env (literal value?)"
            if match.group("op") in ("-", ":-"):
                assert match.group("arg") in ("", UNCONFIGURED_WEBHOOK), f"{name}: {key} has a literal default"
    assert checked >= 5, "expected the password and webhook variables of ES, Grafana and the workers"


# --- image versions ----------------------------------------------------------------------


def test_kafka_image_is_the_local_stack_version(services: dict[str, dict[str, Any]]) -> None:
    name, tag = image_of(services["kafka"])
    assert name == KAFKA_IMAGE
    assert tag == StackSettings().kafka_version, "bump the Kafka image and StackSettings.kafka_version together"


def test_elasticsearch_image_is_the_local_stack_version(services: dict[str, dict[str, Any]]) -> None:
    name, tag = image_of(services["elasticsearch"])
    assert name == ES_IMAGE
    assert tag == StackSettings().elasticsearch_version, (
        "bump the Elasticsearch image and StackSettings.elasticsearch_version together"
    )


def test_elasticsearch_client_major_matches_server_major(services: dict[str, dict[str, Any]]) -> None:
    _, tag = image_of(services["elasticsearch"])
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    spec = next(d for d in deps if re.match(r"elasticsearch\b", d))
    major = int(tag.split(".")[0])
    assert f">={major}." in spec and f"<{major + 1}" in spec, f"{spec!r} does not pin the server major {major}"


def test_grafana_image_is_pinned_and_stated_on_top(services: dict[str, dict[str, Any]], compose_text: str) -> None:
    name, tag = image_of(services["grafana"])
    assert name == GRAFANA_IMAGE
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag), f"grafana tag {tag!r} is not an exact version"
    header = "\n".join(line for line in compose_text.splitlines()[:30] if line.startswith("#"))
    assert f"{GRAFANA_IMAGE}:{tag}" in header, "state the Grafana version in the top comment"


def test_heaps_match_the_local_stack(services: dict[str, dict[str, Any]]) -> None:
    stack = StackSettings()
    es_opts = env_of(services["elasticsearch"])["ES_JAVA_OPTS"].split()
    assert f"-Xms{stack.elasticsearch_heap}" in es_opts and f"-Xmx{stack.elasticsearch_heap}" in es_opts
    kafka_opts = env_of(services["kafka"])["KAFKA_HEAP_OPTS"].split()
    assert f"-Xmx{stack.kafka_heap}" in kafka_opts


# --- kafka -------------------------------------------------------------------------------


def test_kafka_is_a_single_kraft_node(services: dict[str, dict[str, Any]]) -> None:
    env = env_of(services["kafka"])
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    node_id = env["KAFKA_NODE_ID"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{node_id}@"), "quorum voter is not this node"
    assert env.get("CLUSTER_ID"), "KRaft mode needs CLUSTER_ID in the apache/kafka image"
    for key, value in env.items():
        if key.endswith("_REPLICATION_FACTOR") or key.endswith("_MIN_ISR"):
            assert value == "1", f"{key}={value} on a single broker"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"


def test_kafka_advertises_what_the_workers_bootstrap_from(services: dict[str, dict[str, Any]]) -> None:
    env = env_of(services["kafka"])
    advertised = {entry.split("://", 1)[1] for entry in env["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    for worker in WORKERS:
        bootstrap = env_of(services[worker])["PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS"]
        assert bootstrap in advertised, f"{worker} bootstraps from {bootstrap}, kafka advertises {advertised}"
    names = {entry.split("://", 1)[0] for entry in env["KAFKA_LISTENERS"].split(",")}
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] in names
    protocol_map = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert names <= set(protocol_map), "a listener has no security protocol"
    assert len(names) >= 3, "expected in-network, host and controller listeners"


def test_kafka_data_volume_is_the_log_dir(services: dict[str, dict[str, Any]]) -> None:
    log_dirs = env_of(services["kafka"])["KAFKA_LOG_DIRS"]
    assert log_dirs in {m["target"] for m in volume_mounts(services["kafka"])}


def test_kafka_healthcheck_asks_the_broker(services: dict[str, dict[str, Any]]) -> None:
    command = healthcheck_command(services["kafka"])
    assert re.search(r"kafka-(broker-api-versions|topics)\.sh", command), command
    assert "--bootstrap-server" in command


# --- elasticsearch -----------------------------------------------------------------------


def test_elasticsearch_is_a_secured_single_node(services: dict[str, dict[str, Any]]) -> None:
    env = env_of(services["elasticsearch"])
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "true"
    match = WHOLE_INTERPOLATION.match(env["ELASTIC_PASSWORD"])
    assert match and match.group("name") == "ELASTIC_PASSWORD", "ELASTIC_PASSWORD must come from .env"


def test_elasticsearch_ulimits(services: dict[str, dict[str, Any]]) -> None:
    ulimits = services["elasticsearch"].get("ulimits") or {}
    assert ulimits.get("memlock") == {"soft": -1, "hard": -1}
    nofile = ulimits.get("nofile") or {}
    assert nofile.get("soft", 0) >= 65535 and nofile.get("hard", 0) >= 65535


def test_elasticsearch_healthcheck_authenticates(services: dict[str, dict[str, Any]]) -> None:
    command = healthcheck_command(services["elasticsearch"])
    assert "_cluster/health" in command
    # $$ so that the container's shell, not Compose, expands the password.
    assert re.search(r"-u\s+[\"']?elastic:\$\$\{?ELASTIC_PASSWORD\}?", command), command


# --- grafana -----------------------------------------------------------------------------


def test_grafana_mounts_the_provisioning_read_only(services: dict[str, dict[str, Any]]) -> None:
    mounts = [m for m in volume_mounts(services["grafana"]) if m["target"] == GRAFANA_PROVISIONING_TARGET]
    assert mounts, f"nothing mounted at {GRAFANA_PROVISIONING_TARGET}"
    mount = mounts[0]
    assert mount["read_only"], "provisioning must be mounted read-only"
    assert Path(mount["source"]) == Path("./dashboards/provisioning")
    host = (ROOT / mount["source"]).resolve()
    assert host.is_dir(), f"{host} does not exist in the repository"
    assert (host / "datasources").is_dir() and (host / "dashboards").is_dir()


def test_grafana_depends_on_healthy_elasticsearch(services: dict[str, dict[str, Any]]) -> None:
    depends_on = services["grafana"].get("depends_on") or {}
    assert isinstance(depends_on, dict), "use the long depends_on form with a condition"
    assert depends_on.get("elasticsearch", {}).get("condition") == "service_healthy"


def test_grafana_admin_password_from_env(services: dict[str, dict[str, Any]]) -> None:
    match = WHOLE_INTERPOLATION.match(env_of(services["grafana"])["GF_SECURITY_ADMIN_PASSWORD"])
    assert match and match.group("name") == "GRAFANA_ADMIN_PASSWORD"


def test_grafana_healthcheck_hits_api_health(services: dict[str, dict[str, Any]]) -> None:
    assert "/api/health" in healthcheck_command(services["grafana"])


def test_grafana_gets_every_variable_the_provisioning_reads(services: dict[str, dict[str, Any]]) -> None:
    env = env_of(services["grafana"])
    files = sorted(PROVISIONING.rglob("*.yaml")) + sorted(PROVISIONING.rglob("*.yml"))
    assert DATASOURCE_FILE in files and DASHBOARD_PROVIDER_FILE in files
    for path in files:
        missing = grafana_env_refs(yaml.safe_load(path.read_text(encoding="utf-8"))) - set(env)
        assert not missing, f"{path.relative_to(ROOT)} reads {sorted(missing)}, not set on grafana"
    assert {"ES_URL", "ES_USER", "ES_PASSWORD", "ALERT_WEBHOOK_URL"} <= set(env)
    assert env["ES_URL"] == env_of(services["ingest"])["PASSAPAROLA_ELASTICSEARCH__URL"]
    assert env["ES_USER"] == env_of(services["ingest"])["PASSAPAROLA_ELASTICSEARCH__USERNAME"]
    match = WHOLE_INTERPOLATION.match(env["ES_PASSWORD"])
    assert match and match.group("name") == "ELASTIC_PASSWORD"


def test_datasource_provisioning() -> None:
    data = yaml.safe_load(DATASOURCE_FILE.read_text(encoding="utf-8"))
    assert data["apiVersion"] == 1
    names = [s["name"] for s in data["datasources"]]
    assert names == ["Passaparola mentions", "Passaparola replies", "Passaparola replies by SLA due date", "Passaparola alerts"]
    for other in data["datasources"][1:]:  # same connection and secrets as the mentions source
        assert {k: other[k] for k in ("type", "url", "basicAuth", "basicAuthUser", "secureJsonData")} == {
            k: data["datasources"][0][k] for k in ("type", "url", "basicAuth", "basicAuthUser", "secureJsonData")}
    source = data["datasources"][0]
    assert source["name"] == "Passaparola mentions"
    assert source["type"] == "elasticsearch"
    assert source["url"] == "${ES_URL}"
    assert source["basicAuth"] is True
    assert grafana_env_refs(source["basicAuthUser"]) == {"ES_USER"}
    assert grafana_env_refs(source["secureJsonData"]["basicAuthPassword"]) == {"ES_PASSWORD"}
    assert "password" not in source and "basicAuthPassword" not in source, "passwords belong in secureJsonData"
    json_data = source["jsonData"]
    assert json_data["index"] == f"{ElasticsearchSettings().index_prefix}-mentions-*"
    assert json_data["timeField"] == "published_at"
    assert json_data["timeField"] in Mention.model_fields, "timeField is not a field of a mention"


def test_dashboard_provider_provisioning() -> None:
    data = yaml.safe_load(DASHBOARD_PROVIDER_FILE.read_text(encoding="utf-8"))
    assert data["apiVersion"] == 1
    (provider,) = data["providers"]
    assert provider["type"] == "file"
    assert provider["folder"] == "Passaparola"
    path = provider["options"]["path"]
    assert path == f"{GRAFANA_PROVISIONING_TARGET}/dashboards/json"
    host_dir = PROVISIONING / Path(path).relative_to(GRAFANA_PROVISIONING_TARGET)
    assert host_dir.is_dir(), f"{host_dir} missing: the provider would watch nothing"


# --- workers -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", WORKERS)
def test_worker_builds_from_the_root_dockerfile(services: dict[str, dict[str, Any]], name: str) -> None:
    build = services[name].get("build")
    if isinstance(build, str):
        build = {"context": build}
    assert isinstance(build, dict), f"{name}: not built from the repository"
    assert Path(build.get("context", "")) == Path("."), f"{name}: build context is not the repository root"
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert DOCKERFILE.is_file()


@pytest.mark.parametrize("name", WORKERS)
def test_worker_environment(services: dict[str, dict[str, Any]], name: str) -> None:
    env = env_of(services[name])
    assert env["PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["PASSAPAROLA_ELASTICSEARCH__URL"] == "http://elasticsearch:9200"
    assert env["PASSAPAROLA_ELASTICSEARCH__USERNAME"] == "elastic"
    assert env["PASSAPAROLA_METRICS_PORT"] == "9108"
    # The healthcheck probes 127.0.0.1 from inside the container; Prometheus needs more.
    assert env["PASSAPAROLA_METRICS_HOST"] == "0.0.0.0"
    assert env[CONFIG_ENV] == "/etc/passaparola/passaparola.toml"
    password = WHOLE_INTERPOLATION.match(env["PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD"])
    assert password and password.group("name") == "ELASTIC_PASSWORD"
    assert password.group("op") not in ("-", ":-"), "the Elasticsearch password must not have a default"
    if name == "notifier":  # the only worker that posts to it
        webhook = WHOLE_INTERPOLATION.match(env["PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL"])
        assert webhook and webhook.group("name") == "ALERT_WEBHOOK_URL"
    else:
        assert "PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL" not in env, f"{name} does not read the webhook"


@pytest.mark.parametrize("name", WORKERS)
def test_worker_environment_names_are_settings(services: dict[str, dict[str, Any]], name: str) -> None:
    for key in env_of(services[name]):
        if key == CONFIG_ENV or not key.startswith("PASSAPAROLA_"):
            continue
        assert is_settings_field(settings_field_path(key)), f"{name}: {key} is not a field of Settings"


@pytest.mark.parametrize("name", WORKERS)
def test_worker_environment_loads_into_settings(
    services: dict[str, dict[str, Any]], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's environment plus the default config file, read the way the worker will."""
    env = env_of(services[name])
    for key in list(os.environ):
        if key.startswith("PASSAPAROLA_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, resolve_default(value))
    (mount,) = [m for m in volume_mounts(services[name]) if m["target"] == env[CONFIG_ENV]]
    config_file = ROOT / resolve_default(mount["source"])
    assert config_file.is_file(), f"{config_file.relative_to(ROOT)} (mounted by default) is missing"
    monkeypatch.setenv(CONFIG_ENV, str(config_file))

    settings = Settings()

    assert settings.kafka.bootstrap_servers == env["PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS"]
    assert settings.elasticsearch.url == env["PASSAPAROLA_ELASTICSEARCH__URL"]
    assert settings.elasticsearch.username == env["PASSAPAROLA_ELASTICSEARCH__USERNAME"]
    assert settings.metrics_port == int(env["PASSAPAROLA_METRICS_PORT"])
    assert settings.metrics_host == env["PASSAPAROLA_METRICS_HOST"]
    password = settings.secrets.elasticsearch_password
    assert password is not None and password.get_secret_value() == "secret-from-dotenv"


@pytest.mark.parametrize("name", WORKERS)
def test_worker_mounts_the_config_file(services: dict[str, dict[str, Any]], name: str) -> None:
    target = env_of(services[name])[CONFIG_ENV]
    mounts = [m for m in volume_mounts(services[name]) if m["target"] == target]
    assert mounts, f"{name}: nothing mounted at {target}"
    assert mounts[0]["read_only"], f"{name}: the config must be mounted read-only"
    assert "passaparola.example.toml" in mounts[0]["source"], "mount ./passaparola.example.toml by default"


@pytest.mark.parametrize("name", WORKERS)
def test_worker_waits_for_healthy_infrastructure(services: dict[str, dict[str, Any]], name: str) -> None:
    service = services[name]
    depends_on = service.get("depends_on") or {}
    assert isinstance(depends_on, dict), f"{name}: use the long depends_on form with a condition"
    for dependency in ("kafka", "elasticsearch"):
        assert depends_on.get(dependency, {}).get("condition") == "service_healthy", f"{name} -> {dependency}"
    assert service.get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", WORKERS)
def test_worker_healthcheck_probes_healthz_on_the_metrics_port(services: dict[str, dict[str, Any]], name: str) -> None:
    test = services[name]["healthcheck"]["test"]
    command = healthcheck_command(services[name])
    assert "python" in test[1] or command.startswith("python"), "the image has python, maybe not curl"
    port = env_of(services[name])["PASSAPAROLA_METRICS_PORT"]
    assert re.search(rf"http://(127\.0\.0\.1|localhost):{port}/healthz\b", command), command


@pytest.mark.parametrize(("name", "group"), WORKERS.items())
def test_worker_command_is_a_cli_group(services: dict[str, dict[str, Any]], name: str, group: str) -> None:
    entrypoints = [exec_form(args) for instruction, args in dockerfile_instructions() if instruction == "ENTRYPOINT"]
    entrypoint = entrypoints[-1] if entrypoints else []
    command = services[name].get("command")
    command = shlex.split(command) if isinstance(command, str) else list(command or [])
    argv = [*(services[name].get("entrypoint") or entrypoint), *command]
    assert argv[0] == "passaparola", f"{name} runs {argv}"
    assert argv[1] in CLI_GROUPS, f"{name}: {argv[1]!r} is not one of {sorted(CLI_GROUPS)}"
    assert argv[1] == group, f"service {name} runs `passaparola {argv[1]}`"


def test_workers_share_one_anchor(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    template = compose.get("x-passaparola-worker")
    assert isinstance(template, dict), "x-passaparola-worker missing"
    for name in WORKERS:
        shared = {key: services[name].get(key) for key in template if key != "environment"}
        assert shared == {k: v for k, v in template.items() if k != "environment"}, \
            f"{name} does not merge x-passaparola-worker"
        assert template["environment"].items() <= services[name]["environment"].items(), \
            f"{name} does not merge the workers' environment"


# --- Dockerfile and .dockerignore --------------------------------------------------------


def test_dockerfile_base_image_and_python_version() -> None:
    (base,) = [args for instruction, args in dockerfile_instructions() if instruction == "FROM"]
    assert base.split()[0] == "python:3.11-slim"
    requires = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["requires-python"]
    minimum = re.fullmatch(r">=\s*(\d+)\.(\d+)", requires)
    assert minimum and (3, 11) >= (int(minimum.group(1)), int(minimum.group(2)))


def test_dockerfile_copies_every_package_pyproject_includes() -> None:
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    includes = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.split(".")[0].rstrip("*") for pattern in includes}
    assert packages, "no packages in [tool.setuptools.packages.find] include"
    copied = set()
    for instruction, args in dockerfile_instructions():
        if instruction in ("COPY", "ADD"):
            parts = [p for p in exec_form(args) if not p.startswith("--")]
            copied |= {src.strip("/").removeprefix("./") for src in parts[:-1]}
    missing = packages - copied
    assert not missing, f"the Dockerfile does not copy {sorted(missing)}"
    readme = pyproject["project"].get("readme")
    assert {"pyproject.toml", readme} <= copied, "pip install . needs pyproject.toml and the readme"
    for package in packages:
        assert (ROOT / package).is_dir(), f"{package}/ listed in pyproject.toml but missing"


def test_dockerfile_installs_the_project_and_runs_as_non_root() -> None:
    instructions = dockerfile_instructions()
    runs = " ".join(args for instruction, args in instructions if instruction == "RUN")
    assert re.search(r"pip install[^&;]*\s\.(\s|$)", runs), "the Dockerfile does not `pip install .`"
    if (ROOT / "constraints.txt").is_file():  # the pins the venv and CI install with
        copied = " ".join(args for instruction, args in instructions if instruction == "COPY")
        assert "constraints.txt" in copied.split(), "the Dockerfile does not copy constraints.txt"
        assert re.search(r"pip install[^&;]*(-c|--constraint)[ =]constraints\.txt", runs), "pip ignores the pins"
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users, "no USER: the workers would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_dockerfile_entrypoint_is_the_cli() -> None:
    entrypoints = [exec_form(args) for instruction, args in dockerfile_instructions() if instruction == "ENTRYPOINT"]
    assert entrypoints and entrypoints[-1] == ["passaparola"]
    scripts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["scripts"]
    assert "passaparola" in scripts


def test_dockerignore_keeps_the_context_clean() -> None:
    patterns = {line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    for required in (".venv", ".git", ".env", ".pytest_cache"):
        assert required in patterns, f".dockerignore does not exclude {required}"
    assert any("__pycache__" in p for p in patterns), ".dockerignore does not exclude __pycache__"


# --- starting without a webhook, and monitoring ------------------------------------------


def dotenv_example() -> dict[str, str]:
    """The variables .env.example sets, as a user copying it unchanged has them."""
    pairs = (re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.strip()) for line in ENV_EXAMPLE.read_text().splitlines())
    return {m.group(1): m.group(2) for m in pairs if m}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's substitution of one whole ``${VAR...}`` value (a set-but-empty variable takes
    the ``:-`` default, as in Compose)."""
    match = WHOLE_INTERPOLATION.match(value)
    if not match:
        return value
    got = env.get(match.group("name"))
    op = match.group("op") or ""
    if op == ":-" and not got or op == "-" and got is None:
        return match.group("arg")
    return got or ""


def test_grafana_gets_a_webhook_url_it_accepts_when_env_leaves_it_empty(services: dict[str, dict[str, Any]]) -> None:
    """Grafana refuses to start with a contact point whose URL is empty (the shipped .env.example
    once made it so)."""
    env = {"ELASTIC_PASSWORD": "x", "GRAFANA_ADMIN_PASSWORD": "x", **{k: v for k, v in dotenv_example().items() if v}}
    assert dotenv_example()["ALERT_WEBHOOK_URL"] == ""
    url = interpolate(env_of(services["grafana"])["ALERT_WEBHOOK_URL"], env | {"ALERT_WEBHOOK_URL": ""})
    assert url == UNCONFIGURED_WEBHOOK and url.split("/")[2].endswith(".invalid")
    contact = yaml.safe_load((PROVISIONING / "alerting" / "contact-points.yaml").read_text())
    (receiver,) = contact["contactPoints"][0]["receivers"]
    assert grafana_env_refs(receiver["settings"]["url"]) == {"ALERT_WEBHOOK_URL"}
    set_by_user = interpolate(env_of(services["grafana"])["ALERT_WEBHOOK_URL"], {"ALERT_WEBHOOK_URL": "https://h/x"})
    assert set_by_user == "https://h/x"


def test_prometheus_scrapes_every_worker_on_its_metrics_port(services: dict[str, dict[str, Any]]) -> None:
    config = yaml.safe_load(PROMETHEUS_FILE.read_text())
    targets = {t for job in config["scrape_configs"] for group in job["static_configs"] for t in group["targets"]}
    assert targets == {f"{name}:{env_of(services[name])['PASSAPAROLA_METRICS_PORT']}" for name in WORKERS}
    (mount,) = [m for m in volume_mounts(services["prometheus"]) if m["target"] == "/etc/prometheus/prometheus.yml"]
    assert ROOT / mount["source"] == PROMETHEUS_FILE and mount["read_only"]
    name, tag = image_of(services["prometheus"])
    assert name == "prom/prometheus" and re.fullmatch(r"v\d+\.\d+\.\d+", tag)
