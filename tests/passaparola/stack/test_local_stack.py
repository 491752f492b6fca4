"""The local stack module against real processes: health, isolation, lifecycle."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from passaparola.stack import LocalStack, StackError
from tests.support.net import free_port

pytestmark = pytest.mark.integration


def test_both_services_are_healthy_at_the_configured_versions(local_stack: LocalStack, base_settings: Settings):
    rows = {row.name: row for row in local_stack.status()}
    assert rows["Kafka"].state == rows["Elasticsearch"].state == "healthy"
    nodes = httpx.get(f"{local_stack.elasticsearch.url}/_nodes/_local").json()["nodes"]
    assert [n["version"] for n in nodes.values()] == [base_settings.stack.elasticsearch_version]
    assert all(Path(f"/proc/{row.pid}").exists() for row in rows.values())


def _outside_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
            address = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("port_of", ["kafka_port", "elasticsearch_port"])
def test_services_listen_on_loopback_only(local_stack: LocalStack, base_settings: Settings, port_of: str):
    address = _outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    port = getattr(base_settings.stack, port_of)
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex((address, port)) != 0, f"port {port} answers on {address}"


def test_the_local_node_has_the_italian_and_english_analyzers(local_stack: LocalStack):
    def tokens(analyzer: str, text: str) -> list[str]:
        reply = httpx.post(f"{local_stack.elasticsearch.url}/_analyze", json={"analyzer": analyzer, "text": text})
        assert reply.status_code == 200, reply.text
        return [t["token"] for t in reply.json()["tokens"]]

    assert tokens("italian", "Le consegne") == tokens("italian", "la consegna") == ["consegn"]
    assert tokens("english", "The deliveries") == tokens("english", "a delivery") == ["deliveri"]


@pytest.fixture
def second_stack(tmp_path: Path, base_settings: Settings):
    """Another stack beside the session's: same download cache, own ports and state."""
    ports = dict(
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        elasticsearch_port=free_port(),
        elasticsearch_transport_port=free_port(),
    )
    stack = LocalStack(base_settings.stack.model_copy(update={"state_dir": tmp_path / "state", **ports}))
    yield stack
    stack.down()


def _our_processes(stack: LocalStack) -> list[int]:
    markers = [s.process.marker for s in stack.services]
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if any(marker in cmdline for marker in markers):
                found.append(int(proc.name))
    return found


def test_up_twice_is_a_no_op_and_down_leaves_nothing(local_stack: LocalStack, second_stack: LocalStack):
    first = second_stack.up()
    assert first == {"Kafka": True, "Elasticsearch": True}
    pids = [row.pid for row in second_stack.status()]
    assert None not in pids and set(pids) <= set(_our_processes(second_stack))

    assert second_stack.up() == {"Kafka": False, "Elasticsearch": False}
    assert [row.pid for row in second_stack.status()] == pids

    assert sorted(second_stack.down()) == ["Elasticsearch", "Kafka"]
    assert _our_processes(second_stack) == []
    assert {row.state for row in second_stack.status()} == {"stopped"}
    # The session's own stack is untouched.
    assert local_stack.is_up()


def test_down_never_signals_a_process_it_did_not_start(second_stack: LocalStack):
    # A stale pid file naming someone else's live process (here: this test run).
    pidfile = second_stack.kafka.process.pidfile
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(str(os.getpid()))
    assert second_stack.down() == []
    assert Path(f"/proc/{os.getpid()}").exists()


def test_a_busy_port_is_a_clear_error(second_stack: LocalStack):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", second_stack.settings.kafka_port))
        squatter.listen()
        with pytest.raises(StackError, match=f"port {second_stack.settings.kafka_port} already in use"):
            second_stack.up()
