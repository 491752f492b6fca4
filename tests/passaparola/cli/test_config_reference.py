"""The documentation that cannot drift: the generated configuration reference, the README's
size and commands, and the paths the docs name.

- ``docs/configuration.md`` is exactly what ``passaparola config reference`` prints, and it
  names every setting of the model (walked here independently of the generator).
- The README stays a short guide (under 15,000 bytes), starts with ``make demo`` and
  ``make test``, and lists every command of the CLI.
- Every repository path the README and ``docs/`` name, in a link or in code, exists.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from core.settings import Settings
from passaparola.cli import app
from passaparola.config_reference import REGENERATE, reference

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "configuration.md"
README = ROOT / "README.md"
README_MAX_BYTES = 15_000
HOW = f"regenerate it from the repository root with `.venv/bin/{REGENERATE}` and commit it"


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return args[0], True
    return None, False


def leaves(model: type[BaseModel] = Settings, key: str = "", env: str | None = "PASSAPAROLA_"):
    """``(toml key, environment variable or None, field)`` for every leaf setting."""
    for name, field in model.model_fields.items():
        sub, array = _model_of(field.annotation)
        path = f"{key}{name}"
        if sub is None:
            yield path, (f"{env}{name.upper()}" if env else None), field
        elif array:
            yield from leaves(sub, f"{path}[].", None)
        else:
            yield from leaves(sub, f"{path}.", f"{env}{name.upper()}__" if env else None)


def test_the_committed_reference_is_what_the_command_prints():
    assert DOC.exists(), f"{DOC.relative_to(ROOT)} is missing: {HOW}"
    printed = CliRunner().invoke(app, ["config", "reference"])
    assert printed.exit_code == 0, printed.output
    assert printed.output == reference()
    committed = DOC.read_text(encoding="utf-8")
    if committed != printed.output:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), printed.output.splitlines(keepends=True),
            "docs/configuration.md (committed)", "passaparola config reference", n=1))[:40])
        pytest.fail(f"docs/configuration.md is stale: {HOW}.\n{diff}", pytrace=False)


def test_the_reference_is_the_same_on_every_machine(monkeypatch, tmp_path):
    first = reference()
    monkeypatch.setenv("HOME", str(tmp_path / "someone"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("PASSAPAROLA_CACHE_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("PASSAPAROLA_KAFKA__PARTITIONS", "3")
    assert reference() == first
    assert str(tmp_path) not in first and str(Path.home()) not in first
    assert "`\"$XDG_CACHE_HOME/passaparola\"`" in first and "`\"$XDG_STATE_HOME/passaparola\"`" in first


def test_every_setting_is_in_the_reference_with_its_variable_and_a_description():
    text = reference()
    found = list(leaves())
    assert len(found) > 100  # the walk went into every section
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(found), "one table row per leaf setting, no more"
    for key, env, field in found:
        assert field.description and field.description.strip(), f"{key}: add a Field(description=...) in core/settings.py"
        if key.startswith("secrets."):
            assert f"| `{env}` |" in text, f"{env} is not in the reference"
            assert f"`{key}`" not in text, "secrets have no TOML key"
        else:
            assert any(row.startswith(f"| `{key}` |") for row in rows), f"{key} is not in the reference"
            if env:
                assert f"| `{key}` | `{env}` |" in text, f"{key}: its variable {env} is not beside it"
    for array in ("brands", "sources"):
        assert f"## [[{array}]]" in text and f"PASSAPAROLA_{array.upper()}=" in text


def test_the_reference_renders_defaults_readably():
    text = reference()
    assert '| `alerts.detector.cooldown` | `PASSAPAROLA_ALERTS__DETECTOR__COOLDOWN` | duration | `"P1D"` (1 day) |' in text
    assert '`"PT10M"` (10 minutes)' in text
    assert "`{ complaint = 4, question = 8, purchase = 2, suggestion = 48, praise = 72, other = 24 }`" in text
    assert '`["1m", "5m", "1h"]`' in text and '`"09:00:00"`' in text
    assert "| `brands[].name` | (in the array) | string | required |" in text


def test_the_readme_is_short_and_starts_with_the_two_commands():
    size = len(README.read_bytes())
    assert size < README_MAX_BYTES, f"README.md is {size} bytes: keep it under {README_MAX_BYTES}, move detail to docs/"
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert first_block, "the README's first code block is the two commands"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def _commands(group: Any, prefix: str = "passaparola") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        if getattr(command, "hidden", False):
            continue
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_the_readme_lists_every_command():
    readme = README.read_text(encoding="utf-8")
    commands = _commands(typer.main.get_command(app))
    assert "passaparola config reference" in commands
    missing = [c for c in commands if f"`{c}" not in readme]
    assert not missing, f"add these commands to the README's table: {missing}"


_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_CODE = re.compile(r"`([^`\s]+)`")
_TOP = ("core", "ingest", "streams", "sinks", "dashboards", "passaparola", "tests", "docs")


def _named_paths(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    named = {target for target in _LINK.findall(text) if "://" not in target and not target.startswith("mailto:")}
    named = {str((path.parent / target).resolve().relative_to(ROOT)) for target in named}
    for token in _CODE.findall(text):
        token = token.rstrip(".,:;")
        if re.fullmatch(r"[\w.-]+(/[\w.-]+)+/?", token) and token.split("/")[0] in _TOP:
            named.add(token)
    return named


@pytest.mark.parametrize("doc", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_the_paths_the_docs_name_exist(doc: Path):
    missing = sorted(p for p in _named_paths(doc) if not (ROOT / p).exists())
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"
