"""Makes sure services started by this process do not outlive it.

Two layers:

* an ``atexit`` hook stops every running service gracefully when the interpreter
  exits normally or on an unhandled exception (including Ctrl-C in pytest);
* a small reaper program (:mod:`parley_devstack.reaper`) holds a pipe from us and
  stops the services when the pipe closes, which also covers SIGKILL, SIGTERM
  without a handler and ``os._exit`` (pytest-timeout's thread method).

The reaper only runs while at least one service is watched.
"""

from __future__ import annotations

import atexit
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Protocol

from parley_devstack.reaper import process_start_time

logger = logging.getLogger(__name__)

_ATEXIT_STOP_TIMEOUT = 15.0


class Stoppable(Protocol):
    """A running service process the guard can stop."""

    @property
    def pid(self) -> int | None: ...

    @property
    def stop_signal(self) -> int: ...

    def stop(self, timeout: float = ...) -> None: ...


class _Guard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, Stoppable] = {}
        self._reaper: subprocess.Popen[bytes] | None = None
        self._atexit_registered = False

    def watch(self, service: Stoppable) -> None:
        pid = service.pid
        if pid is None:
            return
        start_time = process_start_time(pid)
        with self._lock:
            if not self._atexit_registered:
                atexit.register(self.stop_all)
                self._atexit_registered = True
            self._watched[pid] = service
            if start_time is not None:
                self._send(f"watch {pid} {int(service.stop_signal)} {start_time}\n")

    def forget(self, pid: int) -> None:
        with self._lock:
            self._watched.pop(pid, None)
            self._send(f"forget {pid}\n")
            if not self._watched:
                self._close_reaper()

    def stop_all(self) -> None:
        """Stop every service still running; used at interpreter exit."""
        with self._lock:
            services = list(self._watched.values())
        for service in services:
            logger.warning("stopping leftover service process %s at exit", service.pid)
            try:
                service.stop(timeout=_ATEXIT_STOP_TIMEOUT)
            except Exception:
                logger.exception("could not stop service process %s", service.pid)

    def _reaper_stdin(self) -> IO[bytes] | None:
        if self._reaper is None or self._reaper.poll() is not None:
            script = Path(__file__).with_name("reaper.py")
            # Own session: a Ctrl-C aimed at us must not reach the reaper.
            self._reaper = subprocess.Popen(
                [sys.executable, "-I", str(script)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self._reaper.stdin

    def _send(self, line: str) -> None:
        if not self._watched and self._reaper is None:
            return
        stdin = self._reaper_stdin()
        if stdin is None:
            return
        try:
            stdin.write(line.encode("ascii"))
            stdin.flush()
        except OSError:
            logger.warning("the service reaper is gone; leftover processes are not guarded")

    def _close_reaper(self) -> None:
        reaper, self._reaper = self._reaper, None
        if reaper is None:
            return
        if reaper.stdin is not None:
            reaper.stdin.close()
        try:
            reaper.wait(timeout=5)
        except subprocess.TimeoutExpired:
            reaper.kill()
            reaper.wait()


_GUARD = _Guard()


def watch(service: Stoppable) -> None:
    """Stop ``service`` if this interpreter exits or dies before it is stopped."""
    _GUARD.watch(service)


def forget(pid: int) -> None:
    """The service with ``pid`` has been stopped; stop guarding it."""
    _GUARD.forget(pid)


def reaper_pid() -> int | None:
    """Pid of the running reaper, if any (exposed for tests)."""
    reaper = _GUARD._reaper
    return reaper.pid if reaper is not None and reaper.poll() is None else None
