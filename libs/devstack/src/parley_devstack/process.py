"""One service process: started in its own session, logged to a file, stopped for sure."""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from parley_devstack import guard
from parley_devstack.errors import PortInUseError, ServiceStartError

logger = logging.getLogger(__name__)

LOG_TAIL_LINES = 40
_BIND_FAILURE = "Address already in use"


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file ('' if it does not exist)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as log:
            return "".join(deque(log, maxlen=lines))
    except OSError:
        return ""


def _user_ids(user: str | None) -> tuple[int | None, int | None]:
    if user is None:
        return None, None
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def run_step(
    argv: Sequence[str],
    *,
    what: str,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120.0,
) -> str:
    """Run a short setup command (initdb, storage format, psql) and return its output.

    Raises ``ServiceStartError`` with the command's output when it fails.
    """
    uid, gid = _user_ids(user)
    try:
        result = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            user=uid,
            group=gid,
            extra_groups=[] if uid is not None else None,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ServiceStartError(f"{what} did not finish within {timeout:.0f} s") from exc
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise ServiceStartError(
            f"{what} failed with exit code {result.returncode}: {' '.join(argv)}",
            log_tail="\n".join(output.splitlines()[-LOG_TAIL_LINES:]),
        )
    return output


class ManagedProcess:
    """A long-running service process.

    It runs in a new session (so a terminal Ctrl-C reaches us, not it, and we choose
    the shutdown order) with stdout and stderr appended to ``log_path``. While it
    runs it is registered with :mod:`parley_devstack.guard`.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        stop_signal: int = signal.SIGTERM,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._stop_signal = stop_signal
        self._user = user
        self._env = dict(env) if env is not None else None
        self._cwd = cwd
        self._popen: subprocess.Popen[bytes] | None = None
        self._ready_probe: Callable[[], bool] | None = None

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    @property
    def stop_signal(self) -> int:
        return self._stop_signal

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def exit_code(self) -> int | None:
        """The exit code once it has exited; None while it runs (or before start)."""
        return self._popen.poll() if self._popen is not None else None

    def is_ready(self) -> bool:
        """The readiness probe last given to :meth:`wait_ready` (False without one)."""
        return self.is_running() and self._ready_probe is not None and self._ready_probe()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return tail(self.log_path, lines)

    def restart(self) -> None:
        """Start an exited process again with the same command, without waiting for it
        to be ready. What is left of its process group (a crashed PostgreSQL's
        backends) is killed first: it would hold the port and the data."""
        if self.is_running():
            return
        if self._popen is not None:
            self._kill_group(self._popen.pid)
            guard.forget(self._popen.pid)
        self.start()

    def start(self) -> None:
        if self.is_running():
            return
        uid, gid = _user_ids(self._user)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env,
                cwd=self._cwd,
                start_new_session=True,
                user=uid,
                group=gid,
                extra_groups=[] if uid is not None else None,
            )
        logger.debug("started %s (pid %s): %s", self.name, self._popen.pid, self.argv)
        guard.watch(self)

    def wait_ready(self, probe: Callable[[], bool], timeout: float, interval: float = 0.2) -> None:
        """Call ``probe`` until it returns True.

        Raises ``ServiceStartError`` (``PortInUseError`` for a failed bind) with the
        log tail if the process exits first or ``timeout`` passes; the process is
        stopped in both cases.
        """
        self._ready_probe = probe
        deadline = time.monotonic() + timeout
        while True:
            if not self.is_running():
                code = self._popen.returncode if self._popen is not None else None
                self._raise_start_failure(f"{self.name} exited during startup (exit code {code})")
            if probe():
                return
            if time.monotonic() >= deadline:
                self._raise_start_failure(f"{self.name} was not ready within {timeout:.0f} s")
            time.sleep(interval)

    def _raise_start_failure(self, message: str) -> None:
        self.stop(timeout=5)
        log_tail = self.log_tail()
        error = PortInUseError if _BIND_FAILURE in log_tail else ServiceStartError
        raise error(f"{message}; full log: {self.log_path}", log_tail=log_tail)

    def stop(self, timeout: float = 30.0) -> None:
        """Send the stop signal, wait up to ``timeout``, then SIGKILL the whole group."""
        popen = self._popen
        if popen is None:
            return
        if popen.poll() is None:
            try:
                os.kill(popen.pid, self._stop_signal)
                popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s (pid %s) ignored %s for %.0f s; killing it",
                    self.name,
                    popen.pid,
                    signal.Signals(self._stop_signal).name,
                    timeout,
                )
                # The leader is not reaped yet, so its pid still names its group.
                self._kill_group(popen.pid)
                popen.wait()
        guard.forget(popen.pid)

    @staticmethod
    def _kill_group(pgid: int) -> None:
        # The whole group, so children (PostgreSQL backends) go with the leader.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
