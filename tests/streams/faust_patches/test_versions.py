"""The Faust patches refuse to run on library versions they were not written for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from streams.faust_patches import WRITTEN_FOR, UnsupportedVersion, check_versions


def test_the_installed_versions_are_the_ones_written_for():
    check_versions()  # raises otherwise: the constraints and WRITTEN_FOR must agree


@pytest.mark.parametrize("library", sorted(WRITTEN_FOR))
def test_another_version_of_any_library_is_refused_by_name(library: str):
    def installed(name: str) -> str:
        return "9.9.9" if name == library else WRITTEN_FOR[name]

    with pytest.raises(UnsupportedVersion) as refused:
        check_versions(installed)
    assert f"{library} 9.9.9 (needs {WRITTEN_FOR[library]})" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_building_the_app_checks_first(monkeypatch: pytest.MonkeyPatch):
    from core.settings import load_settings
    from streams import app

    def refuse() -> None:
        raise UnsupportedVersion("faust-streaming 9.9.9 (needs 0.15.3)")

    monkeypatch.setattr(app, "check_versions", refuse)
    with pytest.raises(UnsupportedVersion):
        app.create_app(load_settings())


def test_the_streams_worker_says_so_in_one_line_and_exits_1(tmp_path):
    """The CLI path, in a process whose faust-streaming reports another version."""
    code = (
        "import importlib.metadata as m, sys\n"
        "real = m.version\n"
        "m.version = lambda name: '9.9.9' if name == 'faust-streaming' else real(name)\n"
        "from passaparola.cli import main\n"
        "sys.argv = ['passaparola', 'streams', 'worker']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "faust-streaming 9.9.9 (needs 0.15.3)" in lines[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr
