"""The packages' layers, read from every import statement (those inside functions too).

- ``core`` is the ground floor: it imports none of the packages above it.
- ``ingest``, ``streams``, ``sinks`` and ``dashboards`` stand on ``core`` only: they never
  import the command package ``passaparola``, nor each other (workers meet through Kafka).
- ``passaparola`` (CLI, demo, stack, benchmarks, evaluation) is the roof: nothing imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GROUND = "core"
WORKERS = ("ingest", "streams", "sinks", "dashboards")
COMMANDS = "passaparola"
OURS = (GROUND, *WORKERS, COMMANDS)


def imported_packages(package: str) -> dict[str, set[str]]:
    """Module path -> the top-level packages of ours it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = {name for name in names if name in OURS and name != package}
    return found


def test_the_parser_sees_imports_inside_functions():
    tree = ast.parse("def f():\n    from passaparola.cli import app\n")
    assert any(isinstance(n, ast.ImportFrom) and n.module == "passaparola.cli" for n in ast.walk(tree))


def test_every_package_is_seen():
    for package in OURS:
        assert imported_packages(package), f"no modules found under {package}/"


def test_the_ground_imports_nothing_above_it():
    offenders = {module: names for module, names in imported_packages(GROUND).items() if names}
    assert not offenders, f"core must stand alone: {offenders}"


@pytest.mark.parametrize("package", WORKERS)
def test_a_worker_imports_only_the_ground(package: str):
    offenders = {module: names - {GROUND} for module, names in imported_packages(package).items() if names - {GROUND}}
    assert not offenders, f"{package} may import only core: {offenders}"


def test_nothing_imports_the_command_package():
    offenders = {module: names for package in (GROUND, *WORKERS)
                 for module, names in imported_packages(package).items() if COMMANDS in names}
    assert not offenders
