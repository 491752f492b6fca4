"""Apache Kafka in KRaft mode, one combined broker and controller, from Maven Central jars."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from pathlib import Path

from kafka.errors import KafkaConnectionError, KafkaTimeoutError

from core import kafka_clients
from passaparola.stack.java import StackError
from passaparola.stack.process import ServiceProcess, port_open
from passaparola.stack.service import LocalService

_SERVER_PROPERTIES = """\
# Written by `passaparola stack up`; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One node: no reason to wait for other members before the first rebalance.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
"""

_LOG4J2 = """\
status = error
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = {log}
appender.file.filePattern = {log}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
"""


class KafkaBroker(LocalService):
    name = "Kafka"

    @property
    def version(self) -> str:
        return self.settings.kafka_version

    @property
    def ports(self) -> dict[str, int]:
        return {"broker": self.settings.kafka_port, "controller": self.settings.kafka_controller_port}

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.settings.kafka_port}"

    @property
    def lib(self) -> Path:
        return self.settings.cache_dir / f"kafka-{self.version}" / "lib"

    @property
    def log(self) -> Path:
        return self.home / "logs" / "server.log"

    @property
    def config(self) -> Path:
        return self.home / "server.properties"

    @property
    def process(self) -> ServiceProcess:
        return ServiceProcess(self.name, self.home / "kafka.pid", marker=str(self.config))

    def install(self) -> None:
        done = self.lib / ".complete"
        if done.exists():
            return
        partial = self.lib.with_name("lib.partial")
        shutil.rmtree(partial, ignore_errors=True)
        self.maven.copy_dependencies([f"org.apache.kafka:kafka_2.13:{self.version}"], partial)
        # The Maven artifact logs through slf4j 1.7 with no binding (KAFKA-6317): add the
        # Log4j2 binding that matches the log4j-core Kafka itself depends on.
        log4j = _jar_version(partial, "log4j-core")
        self.maven.copy_dependencies([f"org.apache.logging.log4j:log4j-slf4j-impl:{log4j}"], partial)
        shutil.rmtree(self.lib, ignore_errors=True)
        partial.rename(self.lib)
        done.touch()

    def prepare(self) -> None:
        data = self.home / "data"
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            _SERVER_PROPERTIES.format(
                port=self.settings.kafka_port, controller_port=self.settings.kafka_controller_port, data=data
            )
        )
        (self.home / "log4j2.properties").write_text(_LOG4J2.format(log=self.log))
        if not (data / "meta.properties").exists():
            self._format(data)

    def _format(self, data: Path) -> None:
        cmd = [*self._java(), "kafka.tools.StorageTool", "format", "-t", _cluster_id(), "-c", str(self.config)]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.home)
        if done.returncode != 0:
            raise StackError(f"formatting Kafka storage in {data} failed:\n{done.stdout}{done.stderr}")

    def _java(self) -> list[str]:
        return [
            str(self.java_home / "bin" / "java"),
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
            "-cp",
            f"{self.lib}/*",
        ]

    def command(self) -> tuple[list[str], dict[str, str]]:
        heap = self.settings.kafka_heap
        java, *rest = self._java()
        jvm = [f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"]
        return [java, *jvm, *rest, "kafka.Kafka", str(self.config)], {}

    def after_spawn(self, launcher: subprocess.Popen) -> None:
        self.process.pidfile.write_text(str(launcher.pid))

    def healthy(self) -> bool:
        if not port_open(self.settings.kafka_port):
            return False
        try:
            admin = kafka_clients.admin(self.bootstrap, "stack-health", request_timeout_ms=3000, bootstrap_timeout_ms=3000)
        except (KafkaTimeoutError, KafkaConnectionError):
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except (KafkaTimeoutError, KafkaConnectionError):
            return False
        finally:
            admin.close()


def _jar_version(lib: Path, artifact: str) -> str:
    jars = sorted(lib.glob(f"{artifact}-[0-9]*.jar"))
    if not jars:
        raise StackError(f"{artifact} is not among Kafka's dependencies in {lib}")
    return jars[0].name.removeprefix(f"{artifact}-").removesuffix(".jar")


def _cluster_id() -> str:
    # Kafka's cluster ids are URL-safe base64 UUIDs without padding, never starting with '-'.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid
