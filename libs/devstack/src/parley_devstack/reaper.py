"""Last-resort cleanup: stops the stack's services when their owner dies abruptly.

Run as a separate program (``python -I reaper.py``) by :mod:`parley_devstack.guard`.
The owner writes one line per service to our stdin::

    watch <pid> <stop-signal> <start-time>
    forget <pid>

When stdin reaches end-of-file (the owner exited, crashed, was killed with SIGKILL
or called ``os._exit``), every service still watched gets its stop signal, then
SIGKILL for its whole process group after a grace period. The start time (from
``/proc/<pid>/stat``) guards against signalling an unrelated process that reused
the pid. This file must only use the standard library: it runs with ``-I``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

GRACE_SECONDS = 15.0


def process_start_time(pid: int) -> str | None:
    """Field 22 of ``/proc/<pid>/stat`` (start time in clock ticks), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is field 3 (state), so field 22 sits at index 19.
    return fields[19] if len(fields) > 19 else None


def _is_same_process(pid: int, start_time: str) -> bool:
    return process_start_time(pid) == start_time


def _read_watch_list() -> dict[int, tuple[int, str]]:
    watched: dict[int, tuple[int, str]] = {}
    for line in sys.stdin:
        parts = line.split()
        if len(parts) == 4 and parts[0] == "watch":
            watched[int(parts[1])] = (int(parts[2]), parts[3])
        elif len(parts) == 2 and parts[0] == "forget":
            watched.pop(int(parts[1]), None)
    return watched


def _stop_all(watched: dict[int, tuple[int, str]]) -> None:
    alive = {pid: start for pid, (_, start) in watched.items() if _is_same_process(pid, start)}
    for pid in alive:
        with contextlib.suppress(OSError):
            os.kill(pid, watched[pid][0])
    deadline = time.monotonic() + GRACE_SECONDS
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = {pid: start for pid, start in alive.items() if _is_same_process(pid, start)}
    for pid in alive:
        # Each service leads its own session, so its group id is its pid.
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def main() -> None:
    # A Ctrl-C or a closed terminal must not take the reaper down before it acts.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    watched = _read_watch_list()
    if watched:
        _stop_all(watched)


if __name__ == "__main__":
    main()
