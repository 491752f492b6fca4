"""Finding a Java runtime for the local services (Kafka 4.x and Elasticsearch 8.x need 17+)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from core.errors import PassaparolaError

MINIMUM_JAVA = 17


class StackError(PassaparolaError):
    """The local stack cannot do what was asked; the text says why and what to do."""


def java_major(java_home: Path) -> int | None:
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major  # "1.8" means Java 8


def _candidates(configured: Path | None) -> list[Path]:
    found = [configured] if configured else []
    if os.environ.get("JAVA_HOME"):
        found.append(Path(os.environ["JAVA_HOME"]))
    on_path = shutil.which("java")
    if on_path:
        found.append(Path(os.path.realpath(on_path)).parent.parent)
    return found


def find_java_home(configured: Path | None = None) -> Path:
    """The first JDK of version 17 or newer: the configured one, JAVA_HOME, then ``java`` on PATH."""
    seen = []
    for home in _candidates(configured):
        major = java_major(home)
        seen.append(f"{home} ({major or 'no java'})")
        if major and major >= MINIMUM_JAVA:
            return home
    raise StackError(
        f"no Java {MINIMUM_JAVA}+ found (looked at: {', '.join(seen) or 'nothing'}); "
        "install a JDK or set PASSAPAROLA_STACK__JAVA_HOME"
    )


def javac(java_home: Path) -> Path:
    tool = java_home / "bin" / "javac"
    if not tool.exists():
        raise StackError(f"{java_home} is a JRE without javac; the local Elasticsearch needs a JDK to build its analysis plugin")
    return tool
