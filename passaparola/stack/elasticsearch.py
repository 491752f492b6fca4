"""Elasticsearch 8.x from the distribution zip Elastic publishes on Maven Central.

The zip (``org.elasticsearch.distribution.integ-test-zip``) is the server with only the
transport, APM and x-pack core/security modules. We add one thing to it, our own
``passaparola-analysis`` plugin (Java source beside this file, compiled here against the
zip's own jars), which registers the ``italian`` and ``english`` analyzers from Lucene;
everything else the zip lacks is listed in docs/local-stack.md.

Elasticsearch refuses to run as root. As root we start it in a user namespace that maps
our uid to an unprivileged one: the node sees itself as a normal user, while the files it
touches stay ours (no extra account, no chown of the cache).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

import httpx

from passaparola.stack.java import StackError, javac
from passaparola.stack.process import ServiceProcess
from passaparola.stack.service import LocalService

DIST = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
PLUGIN_NAME = "passaparola-analysis"
_UNPRIVILEGED_ID = "1000"

_ELASTICSEARCH_YML = """\
# Written by `passaparola stack up`; edits are overwritten.
cluster.name: passaparola-local
node.name: passaparola-local
path.data: {data}
path.logs: {logs}
network.host: 127.0.0.1
http.port: {port}
transport.port: {transport_port}
discovery.type: single-node
# A developer node on loopback: no TLS and no users (compose runs with security on).
xpack.security.enabled: false
# Small laptop and CI disks would otherwise turn indices read-only; the fault suite
# turns the watermarks back on through the cluster settings API when it wants them.
cluster.routing.allocation.disk.threshold_enabled: false
"""


class ElasticsearchNode(LocalService):
    name = "Elasticsearch"

    @property
    def version(self) -> str:
        return self.settings.elasticsearch_version

    @property
    def ports(self) -> dict[str, int]:
        return {"http": self.settings.elasticsearch_port, "transport": self.settings.elasticsearch_transport_port}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.elasticsearch_port}"

    @property
    def dist(self) -> Path:
        return self.settings.cache_dir / f"elasticsearch-{self.version}"

    @property
    def config(self) -> Path:
        return self.home / "config"

    @property
    def log(self) -> Path:
        return self.home / "logs" / "passaparola-local.log"

    @property
    def process(self) -> ServiceProcess:
        # The server's command line names its temp directory (ES_TMPDIR), which is ours alone.
        return ServiceProcess(self.name, self.home / "elasticsearch.pid", marker=f"-Djava.io.tmpdir={self.home / 'tmp'}")

    def install(self) -> None:
        if not (self.dist / ".complete").exists():
            self._unpack(self.maven.fetch_artifact(DIST.format(version=self.version)))
        self._install_plugin()

    def _unpack(self, archive: Path) -> None:
        partial = self.dist.with_name(self.dist.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                extracted = Path(zf.extract(info, partial))
                mode = info.external_attr >> 16
                if mode and not info.is_dir():
                    # zipfile drops permissions; bin/ scripts must stay executable.
                    extracted.chmod(mode & 0o777)
        (top,) = partial.iterdir()  # the zip holds one folder, elasticsearch-<version>/
        shutil.rmtree(self.dist, ignore_errors=True)
        top.rename(self.dist)
        partial.rmdir()
        (self.dist / ".complete").touch()

    def _install_plugin(self) -> None:
        source = resources.files("passaparola.stack") / "es_plugin" / "src"
        java_files = sorted(Path(str(source)).rglob("*.java"))
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in java_files)).hexdigest()
        target = self.dist / "plugins" / PLUGIN_NAME
        stamp = target / ".source-sha256"
        if stamp.exists() and stamp.read_text() == digest:
            return
        with tempfile.TemporaryDirectory() as work:
            classes = Path(work) / "classes"
            cmd = [str(javac(self.java_home)), "--release", "17", "-cp", f"{self.dist}/lib/*", "-d", str(classes)]
            done = subprocess.run([*cmd, *map(str, java_files)], capture_output=True, text=True)
            if done.returncode != 0:
                raise StackError(f"compiling the {PLUGIN_NAME} plugin failed:\n{done.stderr}")
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            with zipfile.ZipFile(target / f"{PLUGIN_NAME}.jar", "w") as jar:
                for cls in classes.rglob("*.class"):
                    jar.write(cls, cls.relative_to(classes).as_posix())
        (target / "plugin-descriptor.properties").write_text(
            "description=Italian and English analyzers (Lucene) for the local node\n"
            f"version={digest[:12]}\nname={PLUGIN_NAME}\n"
            "classname=org.passaparola.analysis.LanguageAnalysisPlugin\n"
            f"java.version=17\nelasticsearch.version={self.version}\n"
        )
        stamp.write_text(digest)

    def prepare(self) -> None:
        for sub in ("data", "logs", "tmp"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        if not (self.config / "jvm.options").exists():
            shutil.copytree(self.dist / "config", self.config, dirs_exist_ok=True)
        heap = self.settings.elasticsearch_heap
        (self.config / "jvm.options.d" / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
        (self.config / "elasticsearch.yml").write_text(
            _ELASTICSEARCH_YML.format(
                data=self.home / "data",
                logs=self.home / "logs",
                port=self.settings.elasticsearch_port,
                transport_port=self.settings.elasticsearch_transport_port,
            )
        )

    def command(self) -> tuple[list[str], dict[str, str]]:
        # -d: the launcher returns once the node started (or failed); -p: the server's pid.
        cmd = [str(self.dist / "bin" / "elasticsearch"), "-d", "-p", str(self.process.pidfile)]
        if os.geteuid() == 0:
            cmd = ["unshare", "--user", f"--map-user={_UNPRIVILEGED_ID}", f"--map-group={_UNPRIVILEGED_ID}", *cmd]
        env = {
            "ES_JAVA_HOME": str(self.java_home),
            "ES_PATH_CONF": str(self.config),
            "ES_TMPDIR": str(self.home / "tmp"),
        }
        return cmd, env

    def healthy(self) -> bool:
        try:
            reply = httpx.get(f"{self.url}/_cluster/health", params={"timeout": "1s"}, timeout=3)
        except httpx.HTTPError:
            return False
        return reply.status_code == 200 and reply.json().get("status") in ("green", "yellow")
