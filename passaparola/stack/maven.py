"""Fetching released artifacts from Maven Central with ``mvn``, into the project's cache.

``mvn`` rather than plain HTTP: it verifies checksums, resolves transitive dependencies,
and honours a user's ``~/.m2/settings.xml`` mirrors and proxies. Its local repository is
kept inside our cache directory so that one directory holds every download.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from passaparola.stack.java import StackError

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>passaparola.stack</groupId>
  <artifactId>resolve</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
{deps}
  </dependencies>
</project>
"""


def _dependency(coordinate: str) -> str:
    group, artifact, version = coordinate.split(":")
    return (f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
            f"<version>{version}</version></dependency>")


class Maven:
    def __init__(self, cache_dir: Path, java_home: Path):
        self.repository = cache_dir / "m2"
        self.java_home = java_home

    def _run(self, args: list[str], cwd: Path) -> None:
        mvn = shutil.which("mvn")
        if not mvn:
            raise StackError("mvn not found on PATH: install Maven (Debian: apt-get install maven)")
        cmd = [mvn, "-B", "-q", f"-Dmaven.repo.local={self.repository}", *args]
        env = {**os.environ, "JAVA_HOME": str(self.java_home)}
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise StackError(f"mvn {' '.join(args[:1])} failed:\n{tail}")

    def copy_dependencies(self, coordinates: list[str], dest: Path) -> None:
        """Resolve ``group:artifact:version`` jars and all their runtime dependencies into ``dest``."""
        deps = "\n".join(_dependency(c) for c in coordinates)
        with tempfile.TemporaryDirectory() as work:
            Path(work, "pom.xml").write_text(_POM.format(deps=deps))
            self._run(
                ["dependency:copy-dependencies", f"-DoutputDirectory={dest}", "-DincludeScope=runtime"],
                Path(work),
            )

    def fetch_artifact(self, coordinate: str) -> Path:
        """Fetch one artifact (``group:artifact:version[:type]``) into the local repository; return its path."""
        with tempfile.TemporaryDirectory() as work:
            self._run(["dependency:get", f"-Dartifact={coordinate}", "-Dtransitive=false"], Path(work))
        group, artifact, version, *kind = coordinate.split(":")
        path = self.repository.joinpath(*group.split("."), artifact, version,
                                        f"{artifact}-{version}.{kind[0] if kind else 'jar'}")
        if not path.exists():
            raise StackError(f"mvn reported success but {path} is missing")
        return path
