"""Mistakes a user makes, and services that are down, end any command in one line naming
what to fix (exit 1, or 2 for the command line and the configuration), never a traceback.

Run as deployed (``python -m passaparola``): the last-resort handler is in ``main``, which
Typer's test runner does not go through.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.net import free_port


def run(*args: str, cwd: Path, timeout: int = 120, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "passaparola", *args], capture_output=True, text=True,
                          env=environment, timeout=timeout, cwd=cwd)


def last_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr.strip().splitlines()[-1]


ES_DOWN = "error: Elasticsearch unreachable (ConnectionError): check elasticsearch.url and that the node runs"


@pytest.mark.parametrize("command", [["search", "coffee"], ["sink", "setup"]])
def test_elasticsearch_down(command, tmp_path):
    done = run(*command, cwd=tmp_path, PASSAPAROLA_ELASTICSEARCH__URL=f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 1 and last_line(done) == ES_DOWN


def test_a_malformed_config_file_is_a_configuration_error(tmp_path):
    config = tmp_path / "passaparola.toml"
    config.write_text("[kafka\npartitions = 3\n")
    done = run("search", "coffee", cwd=tmp_path, PASSAPAROLA_CONFIG=str(config))
    assert done.returncode == 2
    assert last_line(done).startswith(f"configuration error: {config}: not valid TOML (Expected ']'")


def test_eval_intent_away_from_its_labels_names_the_missing_file(tmp_path):
    done = run("eval", "intent", cwd=tmp_path)
    assert done.returncode == 1
    assert last_line(done) == f"error: {tmp_path}/tests/data/intent/corpus.py: No such file or directory"


@pytest.mark.parametrize("size", ["0", "-1"])
def test_a_search_size_below_one_is_a_usage_error(size, tmp_path):
    done = run("search", "--size", size, "coffee", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "--size" in done.stderr


def test_version(tmp_path):
    done = run("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"passaparola {version('passaparola')}"


@pytest.mark.slow  # kafka-python gives up on a broker after 30 s
def test_topics_create_with_kafka_down(tmp_path):
    done = run("topics", "create", cwd=tmp_path, PASSAPAROLA_KAFKA__BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [  # the client's reconnection logs are a worker's business
        "error: Kafka unreachable (KafkaTimeoutError): check kafka.bootstrap_servers and that the broker runs"]


@pytest.mark.integration
def test_search_before_any_index_exists(worker_env, tmp_path):
    env = {**worker_env, "PASSAPAROLA_ELASTICSEARCH__INDEX_PREFIX": f"never-set-up-{free_port()}"}
    done = subprocess.run([sys.executable, "-m", "passaparola", "search", "coffee"], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 1
    assert last_line(done).startswith("error: Elasticsearch has no Passaparola index yet: run `passaparola sink setup`")
