"""A real Redis server on loopback: throwaway, or keeping its data across restarts."""

from __future__ import annotations

import logging
import shutil
import socket
import time
from pathlib import Path

from parley_devstack.errors import MissingDependencyError, PortInUseError
from parley_devstack.ports import LOOPBACK, free_port
from parley_devstack.process import ManagedProcess
from parley_devstack.redis_security import RedisServerSecurity

logger = logging.getLogger(__name__)

_PORT_ATTEMPTS = 3


def _answers_ping(port: int) -> bool:
    # A raw RESP PING: a client library's retries would stretch one probe to seconds
    # when something else holds the port.
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# An append-only file synced every second loses at most a second to a crash; the
# snapshot points are Redis's defaults, and a stop (SIGTERM) writes a last snapshot.
_KEPT = ("--appendonly", "yes", "--appendfsync", "everysec", "--save", "3600 1 300 100 60 10000")
# No snapshots and no append-only file: state lives only as long as the process.
_THROWAWAY = ("--save", "", "--appendonly", "no")
_DATA_FILES = ("dump.rdb", "appendonlydir", "appendonly.aof")


class LocalRedis:
    """``redis-server`` on 127.0.0.1 (random port unless given), its files in ``data_dir``.

    With ``keep_data`` the keys survive a stop, a crash and the next start; without it
    nothing is written and every start begins empty. With ``secure`` it speaks only TLS
    and every client logs in as an ACL user (:mod:`parley_devstack.redis_security`):
    :attr:`url` is Parley's user's, ``security`` has the rest.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        keep_data: bool = False,
        secure: bool = False,
        client_certificates: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.keep_data = keep_data
        self.security = (
            RedisServerSecurity(self.data_dir / "security", client_certificates=client_certificates)
            if secure
            else None
        )
        self._fixed_port = port is not None
        self._port = port
        self._process: ManagedProcess | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalRedis has no port until start() has been called")
        return self._port

    @property
    def url(self) -> str:
        if self.security is not None:
            return self.security.url(self.port)
        return f"redis://{LOOPBACK}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def process(self) -> ManagedProcess | None:
        """The server process once started (what ``make run`` watches and restarts)."""
        return self._process

    @property
    def log_path(self) -> Path:
        return self.data_dir / "redis.log"

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_running()

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait until it answers PING; no-op if already running."""
        if self.is_running():
            return
        server = shutil.which("redis-server")
        if server is None:
            raise MissingDependencyError(
                "redis-server is not installed; run `parley-stack install` as root "
                "or `apt-get install redis-server`"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.keep_data:
            self._discard_data()
        if self.security is not None:
            self.security.prepare()
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            if self._port is None:
                self._port = free_port()
            started = time.monotonic()
            try:
                self._launch(server, timeout)
            except PortInUseError:
                if self._fixed_port or attempt == _PORT_ATTEMPTS:
                    raise
                logger.warning("Redis port %s was taken; retrying on a new port", self._port)
                self._port = None
                continue
            logger.info("Redis ready on %s in %.1f s", self.url, time.monotonic() - started)
            return

    def stop(self, timeout: float = 10.0) -> None:
        if self._process is not None:
            self._process.stop(timeout)

    def _discard_data(self) -> None:
        for name in _DATA_FILES:
            path = self.data_dir / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def _launch(self, server: str, timeout: float) -> None:
        security, port = self.security, self.port
        listen = security.server_arguments(port) if security else ["--port", str(port)]
        argv = [
            server,
            *listen,
            "--bind",
            LOOPBACK,
            *(_KEPT if self.keep_data else _THROWAWAY),
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]
        self._process = ManagedProcess("Redis", argv, self.log_path, cwd=self.data_dir)
        self._process.start()
        answers = security.answers_ping if security else _answers_ping
        self._process.wait_ready(lambda: answers(port), timeout=timeout, interval=0.05)
