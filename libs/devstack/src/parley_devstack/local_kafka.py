"""A real single-node Apache Kafka broker (KRaft, broker and controller in one JVM)."""

from __future__ import annotations

import base64
import logging
import shutil
import socket
import time
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from parley_bus import KafkaConnection

from parley_devstack.async_bridge import run_sync
from parley_devstack.errors import MissingDependencyError, PortInUseError
from parley_devstack.kafka_jars import KafkaJars, ensure_kafka_jars, resource_path
from parley_devstack.kafka_security import KafkaListenerSecurity
from parley_devstack.ports import LOOPBACK, free_ports
from parley_devstack.process import ManagedProcess, run_step

logger = logging.getLogger(__name__)

# Enough for development traffic; the broker's default heap is a quarter of RAM.
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)
_PORT_ATTEMPTS = 3


def random_cluster_id() -> str:
    """A Kafka cluster id, as ``kafka-storage random-uuid`` makes it, without a JVM.

    Kafka ids are 16 random bytes in unpadded URL-safe base64; Kafka rejects ids that
    start with '-' because they look like command-line options.
    """
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not text.startswith("-"):
            return text


def server_properties(broker_port: int, controller_port: int, log_dir: Path) -> str:
    """``server.properties`` for one node on loopback with a static quorum."""
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{LOOPBACK}:{controller_port}
listeners=PLAINTEXT://{LOOPBACK}:{broker_port},CONTROLLER://{LOOPBACK}:{controller_port}
advertised.listeners=PLAINTEXT://{LOOPBACK}:{broker_port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={log_dir}
num.partitions=1
# Topics come from the catalogue (create_topics). With auto-creation on, any metadata
# lookup of a missing topic would silently create it with one partition.
auto.create.topics.enable=false
# One node: internal topics must not ask for more replicas, or consumer groups hang.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# No 3 s wait before every new consumer group's first rebalance.
group.initial.rebalance.delay.ms=0
num.network.threads=2
background.threads=2
# The 128 MiB default dedupe buffer lives on the heap; 2 MiB is plenty here.
log.cleaner.dedupe.buffer.size=2097152
"""


async def _broker_answers_metadata(connection: KafkaConnection) -> bool:
    admin = AIOKafkaAdminClient(**connection.client_options(), request_timeout_ms=5000)
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except (KafkaError, OSError):
        return False
    finally:
        await admin.close()


def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


class LocalKafka:
    """Apache Kafka on 127.0.0.1, data and log under ``data_dir``.

    ``start()`` formats a fresh log directory, or with ``keep_data`` goes on with the
    one a previous start formatted (topics, messages and consumer offsets kept, on new
    ports if need be); ``restart()`` keeps ports and data. With ``secure`` its listener
    is SASL_SSL with a user per service and the catalogue's ACLs
    (:mod:`parley_devstack.kafka_security`); :meth:`connection` logs in as the admin.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        controller_port: int | None = None,
        jars: KafkaJars | None = None,
        keep_data: bool = False,
        secure: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.keep_data = keep_data
        self.security = KafkaListenerSecurity(self.data_dir / "security") if secure else None
        self._fixed_ports = port is not None or controller_port is not None
        self._port = port
        self._controller_port = controller_port
        self._jars = jars
        self._process: ManagedProcess | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalKafka has no port until start() has been called")
        return self._port

    @property
    def bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def connection(self) -> KafkaConnection:
        """How the stack's own clients reach the broker (as the admin when secure)."""
        if self.security is None:
            return KafkaConnection(self.bootstrap_servers)
        return self.security.connection(self.bootstrap_servers)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def process(self) -> ManagedProcess | None:
        """The server process once started (what ``make run`` watches and restarts)."""
        return self._process

    @property
    def log_path(self) -> Path:
        return self.data_dir / "kafka.log"

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_running()

    def start(self, timeout: float = 60.0) -> None:
        """Format the data directory (unless kept) and start the broker; wait until it
        serves metadata.

        Does nothing if the broker is already running.
        """
        if self.is_running():
            return
        jars = self._jars or ensure_kafka_jars()
        self._jars = jars
        java = shutil.which("java")
        if java is None:
            raise MissingDependencyError(
                "java is needed to run Kafka; run `parley-stack install` as root "
                "or `apt-get install openjdk-17-jre-headless`"
            )
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            self._choose_ports()
            started = time.monotonic()
            self._format(java, jars)
            try:
                self._launch(java, jars, timeout)
            except PortInUseError:
                if self._fixed_ports or attempt == _PORT_ATTEMPTS:
                    raise
                logger.warning("Kafka port %s was taken; retrying on new ports", self._port)
                self._port = self._controller_port = None
                continue
            self._grant_service_rights()
            logger.info(
                "Kafka %s ready on %s in %.1f s",
                jars.version,
                self.bootstrap_servers,
                time.monotonic() - started,
            )
            return

    def restart(self, timeout: float = 60.0) -> None:
        """Stop the broker and start it again on the same ports with the same data."""
        self.stop()
        self.resume(timeout)

    def resume(self, timeout: float = 60.0) -> None:
        """Start the broker again after stop(), on the same ports with the same data."""
        if self._jars is None or self._port is None:
            raise RuntimeError("LocalKafka.resume() needs a previous start()")
        java = shutil.which("java")
        if java is None:
            raise MissingDependencyError("java disappeared from PATH; cannot restart Kafka")
        self._launch(java, self._jars, timeout)
        logger.info("Kafka restarted on %s", self.bootstrap_servers)

    def _grant_service_rights(self) -> None:
        security, servers = self.security, self.bootstrap_servers
        if security is not None:
            count = run_sync(lambda: security.grant_service_rights(servers))
            logger.info("Kafka: %d ACLs from the topic catalogue in place", count)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a controlled shutdown), then SIGKILL after ``timeout`` seconds."""
        if self._process is not None:
            self._process.stop(timeout)

    def _choose_ports(self) -> None:
        needed = [self._port is None, self._controller_port is None]
        fresh = iter(free_ports(sum(needed)))
        if self._port is None:
            self._port = next(fresh)
        if self._controller_port is None:
            self._controller_port = next(fresh)

    def _log_options(self) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
        ]

    def _format(self, java: str, jars: KafkaJars) -> None:
        assert self._port is not None and self._controller_port is not None
        log_dir = self.data_dir / "data"
        formatted = (log_dir / "meta.properties").is_file()
        if not self.keep_data:
            shutil.rmtree(log_dir, ignore_errors=True)
        log_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resource_path("log4j2.properties"), self.data_dir / "log4j2.properties")
        properties = self.data_dir / "server.properties"
        text = server_properties(self._port, self._controller_port, log_dir)
        if self.security is not None:
            self.security.prepare()
            text += self.security.broker_properties(self._port, self._controller_port)
        properties.write_text(text, encoding="utf-8")
        if self.keep_data and formatted:
            # Kept data carries its cluster id; formatting again would refuse a new one.
            logger.info("Kafka goes on with the data in %s", log_dir)
            return
        run_step(
            [
                java,
                *self._log_options(),
                "-cp",
                jars.classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                random_cluster_id(),
                "-c",
                str(properties),
                "--ignore-formatted",
                *(self.security.format_options() if self.security else []),
            ],
            what="formatting the Kafka data directory",
        )

    def _launch(self, java: str, jars: KafkaJars, timeout: float) -> None:
        argv = [
            java,
            *JVM_OPTIONS,
            *self._log_options(),
            "-cp",
            jars.classpath,
            "kafka.Kafka",
            str(self.data_dir / "server.properties"),
        ]
        self._process = ManagedProcess("Kafka", argv, self.log_path, cwd=self.data_dir)
        self._process.start()
        port, connection = self.port, self.connection()

        def ready() -> bool:
            # A plain connect first keeps the admin client from logging refusals.
            return _port_accepts(port) and run_sync(lambda: _broker_answers_metadata(connection))

        self._process.wait_ready(ready, timeout=timeout, interval=0.25)
