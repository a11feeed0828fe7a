"""A real PostgreSQL server on loopback with a ``parley`` database: fresh on every start,
or kept from one start to the next."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from parley_devstack.errors import MissingDependencyError, PortInUseError
from parley_devstack.ports import LOOPBACK, free_port
from parley_devstack.postgres_binaries import require_postgres_bin_dir
from parley_devstack.process import ManagedProcess, run_step

logger = logging.getLogger(__name__)

# PostgreSQL refuses to run as root, so as root it runs as this account.
SERVER_ACCOUNT = "postgres"
_SUPERUSER = "postgres"
_PORT_ATTEMPTS = 3
# sun_path holds 107 characters; the socket is "<dir>/.s.PGSQL.<port>".
_MAX_SOCKET_DIR_LENGTH = 107 - len("/.s.PGSQL.65535")
# Written next to the cluster once its role and database exist: a kept cluster
# without it is the remains of a start that failed half-way, and is made again.
_READY_MARKER = "pgdata.ready"
# Throwaway data: trade crash safety for speed.
_THROWAWAY_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _reachable_by(account: pwd.struct_passwd, directory: Path) -> bool:
    """Whether ``account`` may traverse every folder down to ``directory``."""
    for folder in (directory, *directory.parents):
        try:
            info = folder.stat()
        except OSError:
            return False
        if info.st_uid == account.pw_uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid == account.pw_gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


def _server_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        raise MissingDependencyError(
            f"PostgreSQL refuses to run as root and there is no {SERVER_ACCOUNT!r} account to "
            "run it as; `apt-get install postgresql` creates it, or run as an ordinary user"
        ) from None


def _clean_environment(account: pwd.struct_passwd | None) -> dict[str, str]:
    # PG* variables from the caller (PGHOST, PGPORT…) must not redirect our tools.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if account is not None:
        env["HOME"] = account.pw_dir
        env["USER"] = env["LOGNAME"] = account.pw_name
    return env


class LocalPostgres:
    """PostgreSQL on 127.0.0.1 with database ``parley`` owned by user ``parley``.

    The cluster lives in ``data_dir/pgdata`` and its unix socket in that folder. As
    root the server runs as the ``postgres`` account; when that account cannot reach
    ``data_dir`` (pytest's private temp folders) or the socket path would be too long,
    the cluster goes to a private folder in the system temp dir, removed on ``stop()``.

    Without ``keep_data`` every start makes a new cluster and durability settings are
    off (the data is thrown away on the next start anyway). With it, a cluster a
    previous start made in ``data_dir`` is started again as it was, with PostgreSQL's
    usual durability.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        user: str = "parley",
        password: str = "parley",
        database: str = "parley",
        keep_data: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.keep_data = keep_data
        self.user = user
        self.password = password
        self.database = database
        self._fixed_port = port is not None
        self._port = port
        self._process: ManagedProcess | None = None
        self._cluster_dir: Path | None = None
        self._cluster_is_temporary = False

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalPostgres has no port until start() has been called")
        return self._port

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{LOOPBACK}:{self.port}/{self.database}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def process(self) -> ManagedProcess | None:
        """The server process once started (what ``make run`` watches and restarts)."""
        return self._process

    @property
    def cluster_dir(self) -> Path | None:
        return self._cluster_dir

    @property
    def log_path(self) -> Path:
        return self.data_dir / "postgres.log"

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_running()

    def start(self, timeout: float = 60.0) -> None:
        """initdb a cluster (unless a kept one is there), start the server, create the
        role and the database in a new cluster.

        Does nothing if the server is already running.
        """
        if self.is_running():
            return
        bin_dir = require_postgres_bin_dir()
        account = _server_account() if os.geteuid() == 0 else None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        kept = self._kept_cluster(account)
        cluster = kept or self._prepare_cluster_dir(account)
        env = _clean_environment(account)
        run_as = account.pw_name if account is not None else None
        if kept is None:
            self._initdb(bin_dir, cluster, run_as, env)
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            if self._port is None:
                self._port = free_port()
            try:
                self._launch(bin_dir, cluster, run_as, env, timeout)
                break
            except PortInUseError:
                if self._fixed_port or attempt == _PORT_ATTEMPTS:
                    raise
                logger.warning("PostgreSQL port %s was taken; retrying on a new port", self._port)
                self._port = None
        if kept is None:
            self._create_role_and_database(bin_dir, cluster, run_as, env)
            if self.keep_data and not self._cluster_is_temporary:
                (self.data_dir / _READY_MARKER).touch()
        logger.info(
            "PostgreSQL ready on %s:%s (database %s%s) in %.1f s",
            LOOPBACK,
            self.port,
            self.database,
            ", kept from the last run" if kept else "",
            time.monotonic() - started,
        )

    def _initdb(
        self, bin_dir: Path, cluster: Path, run_as: str | None, env: dict[str, str]
    ) -> None:
        run_step(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(cluster),
                "-U",
                _SUPERUSER,
                # Local socket: only the owner can reach it (0700 folder), so trust is safe.
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            ],
            what="initdb",
            user=run_as,
            env=env,
            cwd=cluster,
        )

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT: disconnect clients), SIGKILL after ``timeout``."""
        if self._process is not None:
            self._process.stop(timeout)
        if self._cluster_is_temporary and self._cluster_dir is not None:
            shutil.rmtree(self._cluster_dir.parent, ignore_errors=True)
            self._cluster_dir = None
            self._cluster_is_temporary = False

    def _usable(self, account: pwd.struct_passwd | None) -> bool:
        """Whether the cluster can live in ``data_dir`` (else in a temporary folder)."""
        preferred = self.data_dir / "pgdata"
        return len(str(preferred)) <= _MAX_SOCKET_DIR_LENGTH and (
            account is None or _reachable_by(account, self.data_dir)
        )

    def _kept_cluster(self, account: pwd.struct_passwd | None) -> Path | None:
        """The cluster a previous start left in ``data_dir``, when it is to be kept."""
        cluster = self.data_dir / "pgdata"
        complete = (cluster / "PG_VERSION").is_file() and (self.data_dir / _READY_MARKER).exists()
        if not (self.keep_data and complete and self._usable(account)):
            return None
        self._cluster_dir, self._cluster_is_temporary = cluster, False
        return cluster

    def _prepare_cluster_dir(self, account: pwd.struct_passwd | None) -> Path:
        preferred = self.data_dir / "pgdata"
        (self.data_dir / _READY_MARKER).unlink(missing_ok=True)
        shutil.rmtree(preferred, ignore_errors=True)
        if self._usable(account):
            cluster = preferred
            self._cluster_is_temporary = False
        else:
            holder = Path(tempfile.mkdtemp(prefix="parley-pg-"))
            cluster = holder / "pgdata"
            self._cluster_is_temporary = True
            if account is not None:
                os.chown(holder, account.pw_uid, account.pw_gid)
            logger.log(
                logging.WARNING if self.keep_data else logging.INFO,
                "PostgreSQL cluster placed in %s (%s cannot use %s)%s",
                cluster,
                SERVER_ACCOUNT,
                self.data_dir,
                "; its data is not kept after stop" if self.keep_data else "",
            )
        cluster.mkdir(mode=0o700)
        if account is not None:
            os.chown(cluster, account.pw_uid, account.pw_gid)
        self._cluster_dir = cluster
        return cluster

    def _launch(
        self, bin_dir: Path, cluster: Path, run_as: str | None, env: dict[str, str], timeout: float
    ) -> None:
        argv = [
            str(bin_dir / "postgres"),
            "-D",
            str(cluster),
            "-c",
            f"listen_addresses={LOOPBACK}",
            "-c",
            f"port={self.port}",
            "-c",
            f"unix_socket_directories={cluster}",
        ]
        if not self.keep_data:
            for setting in _THROWAWAY_SETTINGS:
                argv += ["-c", setting]
        self._process = ManagedProcess(
            "PostgreSQL",
            argv,
            self.log_path,
            stop_signal=signal.SIGINT,
            user=run_as,
            env=env,
            cwd=cluster,
        )
        self._process.start()
        is_ready = [str(bin_dir / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(self.port)]

        def ready() -> bool:
            probe = subprocess.run(is_ready, env=env, check=False, timeout=10)
            return probe.returncode == 0

        self._process.wait_ready(ready, timeout=timeout, interval=0.1)

    def _create_role_and_database(
        self, bin_dir: Path, cluster: Path, run_as: str | None, env: dict[str, str]
    ) -> None:
        role, database = _quote_ident(self.user), _quote_ident(self.database)
        statements = [
            f"CREATE ROLE {role} LOGIN CREATEDB PASSWORD {_quote_literal(self.password)}",
            f"CREATE DATABASE {database} OWNER {role}",
        ]
        argv = [str(bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        argv += ["-h", str(cluster), "-p", str(self.port), "-U", _SUPERUSER, "-d", "postgres"]
        for statement in statements:
            argv += ["-c", statement]
        run_step(argv, what="creating the PostgreSQL role and database", user=run_as, env=env)
