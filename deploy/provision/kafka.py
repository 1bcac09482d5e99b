"""Apache Kafka as a test server: one KRaft node (broker and controller) on 127.0.0.1.

The broker runs from the Maven Central jars that ``kafka/pom.xml`` resolves
(``mvn dependency:copy-dependencies``); nothing is downloaded or written outside the cache and
run directories. The jars are fetched again only when the POM or the Kafka version change.
It answers once kafka-python's admin client sees a registered broker (``describe_cluster``).
"""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from deploy.provision.definition import LoopbackServer, remove_tree, setting
from deploy.provision.supervisor import LOOPBACK, ProvisionError, file_lock, port_accepts
from deploy.provision.tools import require_tool, run_logged

log = logging.getLogger("deploy.provision")

POM = Path(__file__).with_name("kafka") / "pom.xml"

# Settings after the listeners; the whole file is written on every start.
_BROKER_SETTINGS = """\
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0

offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1

num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
"""

# The broker logs to stderr (its log file); request and state-change chatter only from WARN.
_LOG4J2 = """\
status = warn
name = provision-kafka
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.target = SYSTEM_ERR
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
"""


@dataclass(frozen=True)
class Kafka(LoopbackServer, label="bootstrap", pattern=r"kafka\.Kafka", probe_interval=1.0):
    """A single-node KRaft broker; ``from_env`` reads each setting from ``KAFKA_<SETTING>``."""

    port: int = setting(19092, "PLAINTEXT listener port")
    controller_port: int = setting(19093, "KRaft controller port")
    version: str = setting("4.4.0", "Kafka version to fetch")
    heap_opts: str = setting("-Xms256m -Xmx512m", "JVM heap options")
    start_timeout: float = setting(90.0, "seconds to wait for the broker")

    @property
    def listen_description(self) -> str:
        """The bootstrap address and the controller's: ``127.0.0.1:19092 (controller 127.0.0.1:19093)``."""
        return f"{self.endpoint} (controller {LOOPBACK}:{self.controller_port})"

    # --- jars -------------------------------------------------------------------

    @property
    def lib_dir(self) -> Path:
        return self.cache_dir / "kafka" / self.version / "libs"

    def _pom_hash(self) -> str:
        return hashlib.sha256(POM.read_bytes() + f"{self.version}\n".encode()).hexdigest()

    def _fetched(self) -> bool:
        stamp = self.lib_dir.parent / ".fetched"
        try:
            current = stamp.read_text().strip() == self._pom_hash()
        except OSError:
            return False
        return current and any(self.lib_dir.glob("kafka_2.13-*.jar"))

    def obtain(self) -> None:
        """Resolve the broker's jars from Maven Central into the cache, unless they are there."""
        with file_lock(self.cache_dir / "kafka" / "fetch.lock"):
            if self._fetched():
                log.info("Kafka %s jars already in %s", self.version, self.lib_dir)
                return
            mvn = require_tool("mvn", "fetch the Kafka jars")
            log.info("resolving Kafka %s jars from Maven Central into %s ...", self.version, self.lib_dir)
            maven_repo = self.cache_dir / "m2"
            partial = self.lib_dir.with_name(f"libs.tmp.{os.getpid()}")
            fetch_log = self.layout.run_dir / "kafka.fetch.log"
            remove_tree(partial)
            partial.mkdir(parents=True)
            maven_repo.mkdir(parents=True, exist_ok=True)
            fetch_log.write_bytes(b"")
            try:
                run_logged(
                    [
                        mvn, "-B", "-q", "-f", str(POM),
                        f"-Dmaven.repo.local={maven_repo}",
                        f"-Dkafka.version={self.version}",
                        "dependency:copy-dependencies",
                        "-DincludeScope=runtime",
                        f"-DoutputDirectory={partial}",
                    ],
                    fetch_log,
                    failure=f"mvn could not resolve Kafka {self.version} (try KAFKA_VERSION=4.3.1)",
                )  # fmt: skip
            except ProvisionError:
                remove_tree(partial)
                raise
            remove_tree(self.lib_dir)
            partial.rename(self.lib_dir)
            (self.lib_dir.parent / ".fetched").write_text(self._pom_hash() + "\n")
            fetch_log.unlink(missing_ok=True)
            log.info("fetched %d jars", len(list(self.lib_dir.glob("*.jar"))))

    # --- configuration and storage ---------------------------------------------------

    @property
    def properties_file(self) -> Path:
        return self.layout.state_dir / "server.properties"

    @property
    def log4j_file(self) -> Path:
        return self.layout.state_dir / "log4j2.properties"

    @property
    def _controller_port_file(self) -> Path:
        return self.layout.state_dir / "controller.port"

    def server_properties(self) -> str:
        """``server.properties`` for this node: combined broker and controller, one replica."""
        controller = f"{LOOPBACK}:{self.controller_port}"
        listeners = f"PLAINTEXT://{self.endpoint},CONTROLLER://{controller}"
        return (
            "# Generated by deploy.provision on each start; edits are overwritten.\n"
            "process.roles=broker,controller\n"
            "node.id=1\n"
            f"controller.quorum.bootstrap.servers={controller}\n"
            f"listeners={listeners}\n"
            f"advertised.listeners={listeners}\n"
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
            "inter.broker.listener.name=PLAINTEXT\n"
            "controller.listener.names=CONTROLLER\n"
            f"log.dirs={self.layout.data_dir}\n"
            "\n" + _BROKER_SETTINGS
        )

    def prepare(self) -> None:
        """Write the broker's configuration and format its storage on first use."""
        self.properties_file.write_text(self.server_properties())
        self.log4j_file.write_text(_LOG4J2)
        self._format_storage()

    def _format_storage(self) -> None:
        data_dir = self.layout.data_dir
        if (data_dir / "meta.properties").exists():
            try:
                stored = self._controller_port_file.read_text().strip()
            except OSError:
                stored = ""
            if stored and stored != str(self.controller_port):
                raise ProvisionError(
                    f"data in {data_dir} was formatted for controller port {stored}, "
                    f"not {self.controller_port}; start with --clean"
                )
            return
        storage_tool = [*self._java(), "kafka.tools.StorageTool"]
        log_file = self.layout.log_file
        output = run_logged(
            [*storage_tool, "random-uuid"],
            log_file,
            failure="StorageTool random-uuid failed",
            capture_stdout=True,
        )
        lines = output.strip().splitlines()
        if not lines:
            raise ProvisionError("StorageTool random-uuid gave no id")
        cluster_id = lines[-1].strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        log.info("formatting %s (cluster id %s)", data_dir, cluster_id)
        run_logged(
            [*storage_tool, "format", "--standalone", "-t", cluster_id, "-c", str(self.properties_file)],
            log_file,
            failure="StorageTool format failed",
        )
        self._controller_port_file.write_text(f"{self.controller_port}\n")

    def wipe_data(self) -> None:
        super().wipe_data()
        self._controller_port_file.unlink(missing_ok=True)

    # --- the process ----------------------------------------------------------------

    def _java(self) -> list[str]:
        return [
            require_tool("java", "run Kafka"),
            *self.heap_opts.split(),
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.log4j_file}",
            f"-Dkafka.logs.dir={self.layout.state_dir}",
            "-cp",
            f"{self.lib_dir}/*",
        ]

    def command(self) -> list[str]:
        return [*self._java(), "kafka.Kafka", str(self.properties_file)]

    def answers(self) -> bool:
        """True when the listener accepts connections and a broker is registered."""
        return port_accepts(self.port) and broker_registered(self.endpoint)


class _ProbeAdminClient(KafkaAdminClient):
    """An admin client that lets go of its network thread when bootstrapping fails.

    kafka-python starts that thread before it bootstraps and does not stop it when
    bootstrapping raises, so each probe of a broker still starting would leave one behind.
    """

    def __init__(self, **configs: object) -> None:
        try:
            super().__init__(**configs)
        except Exception:
            self._closed = False  # close() releases only a client that is marked open
            with suppress(Exception):
                self.close()
            raise


def broker_registered(bootstrap: str) -> bool:
    """True when the cluster at ``bootstrap`` describes itself with at least one broker."""
    # Option names differ between kafka-python 2.x and 3.x: pass only the known ones.
    known = KafkaAdminClient.DEFAULT_CONFIG
    options: dict[str, object] = {"request_timeout_ms": 5000}
    options.update(
        {name: 3000 for name in ("bootstrap_timeout_ms", "api_version_auto_timeout_ms") if name in known}
    )
    try:
        admin = _ProbeAdminClient(bootstrap_servers=bootstrap, client_id="provision-readiness", **options)
    except (KafkaError, OSError):
        return False
    try:
        return bool(admin.describe_cluster().get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()
