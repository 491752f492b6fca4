"""``passaparola ingest feed PATH --dry-run`` over every real feed file in ../shared:
mentions as JSONL with exit 0, or one line on stderr with exit 1; never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from core.schema import Mention
from passaparola.cli import app


def _feeds(shared):
    root = shared / "data" / "feeds" / "feedparser"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".xml", ".rdf", ".json", ".cdf", ".atom"})


def _outcome(runner: CliRunner, path) -> int:
    """The command's exit code on ``path``, once its output is checked: mentions, or one line."""
    result = runner.invoke(app, ["ingest", "feed", str(path), "--dry-run"], env={"PASSAPAROLA_LOG_JSON": "false"})
    assert result.exit_code in (0, 1), f"{path}: exit {result.exit_code}\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{path}: {result.exception!r}"
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        lines = result.stdout.splitlines()
        assert lines and all(Mention.model_validate_json(line).platform == "feed" for line in lines), path
    else:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and result.stdout == "", f"{path}: {result.stderr}"
    return result.exit_code


@pytest.mark.slow  # about 1,900 files: a few minutes on 2 cores
def test_every_shared_feed_file_gives_mentions_or_one_clear_line(shared):
    runner = CliRunner()
    files = _feeds(shared)
    assert len(files) > 1500
    outcomes = {0: 0, 1: 0}
    for path in files:
        outcomes[_outcome(runner, path)] += 1
    assert outcomes[0] > 500 and outcomes[1] > 500  # both kinds are really exercised


def test_a_sample_of_the_shared_feed_files_gives_mentions_or_one_clear_line(shared):
    """Every 40th file, for the quick tier (`make check`); the sweep above takes them all."""
    runner = CliRunner()
    outcomes = {0: 0, 1: 0}
    for path in _feeds(shared)[::40]:
        outcomes[_outcome(runner, path)] += 1
    assert outcomes[0] > 10 and outcomes[1] > 10  # both kinds are really exercised


@pytest.mark.parametrize("name", ["wellformed/rss/item_title.xml", "illformed/aaa_illformed.xml"])
def test_the_installed_command_behaves_the_same(shared, name):
    path = shared / "data" / "feeds" / "feedparser" / name
    if not path.exists():
        pytest.skip(f"{name} is not in this copy of the corpus")
    done = subprocess.run([sys.executable, "-m", "passaparola", "ingest", "feed", str(path), "--dry-run"],
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        assert all(json.loads(line)["platform"] == "feed" for line in done.stdout.splitlines())
    else:
        assert done.returncode == 1 and done.stderr.startswith("error: ")
