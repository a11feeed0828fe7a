"""Keeps ``make run``'s services running: one that exits is started again after a
backoff while the others carry on, and one that keeps crashing soon after each start
is given up on, loudly, instead of being restarted forever.

The backoff doubles from ``first_delay_s`` to ``max_delay_s`` over crashes in a row; a
process that ran ``healthy_after_s`` before it exited counts as healthy, so its crash
starts the count again at one. Time comes from ``clock`` so the policy can be checked
step by step.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from parley_devstack.errors import DevstackError
from parley_devstack.process import tail


class Supervised(Protocol):
    """A process the supervisor can watch and start again."""

    @property
    def log_path(self) -> Path: ...

    def exit_code(self) -> int | None:
        """None while it runs."""

    def restart(self) -> None:
        """Start it again (returns at once; the log is appended to, not replaced)."""

    def is_ready(self) -> bool: ...


class CrashLoopError(DevstackError):
    """A service crashed soon after each of its restarts; it was not started again."""


@dataclass(frozen=True)
class RestartPolicy:
    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    healthy_after_s: float = 60.0
    """Run this long and a crash counts as the first in a row again."""
    max_crashes_in_a_row: int = 7
    """Crashes in a row (none after a healthy run) at which the service is given up on;
    with the defaults the last restarts wait the full 30 s."""

    def delay_s(self, crashes_in_a_row: int) -> float:
        return float(min(self.first_delay_s * 2 ** (crashes_in_a_row - 1), self.max_delay_s))


@dataclass
class _Watch:
    started_at: float
    crashes_in_a_row: int = 0
    restart_at: float | None = None
    awaiting_ready: bool = False


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class Supervisor:
    services: Mapping[str, Supervised]
    """Looked up on every check, so services added later are watched too."""
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    clock: Callable[[], float] = time.monotonic
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    _watches: dict[str, _Watch] = field(default_factory=dict, init=False)

    def check(self) -> None:
        """Notice exits, restart the services whose backoff has passed, and say so.

        Raises ``CrashLoopError`` when a service has crashed ``max_crashes_in_a_row``
        times in a row.
        """
        now = self.clock()
        for name, service in self.services.items():
            watch = self._watches.setdefault(name, _Watch(started_at=now))
            code = service.exit_code()
            if code is None:
                if watch.awaiting_ready and service.is_ready():
                    watch.awaiting_ready = False
                    self.say(f"==> {name} is ready again")
            elif watch.restart_at is None:
                self._schedule_restart(name, service, watch, code, now)
            elif now >= watch.restart_at:
                service.restart()
                watch.started_at, watch.restart_at, watch.awaiting_ready = now, None, True
                self.say(f"==> {name} restarted")

    def _schedule_restart(
        self, name: str, service: Supervised, watch: _Watch, code: int, now: float
    ) -> None:
        ran_s = now - watch.started_at
        healthy = ran_s >= self.policy.healthy_after_s
        watch.crashes_in_a_row = 1 if healthy else watch.crashes_in_a_row + 1
        watch.awaiting_ready = False
        if watch.crashes_in_a_row >= self.policy.max_crashes_in_a_row:
            raise CrashLoopError(
                f"{name} crashed {watch.crashes_in_a_row} times in a row, each within "
                f"{self.policy.healthy_after_s:.0f} s of its start (last: {describe_exit(code)}); "
                f"not restarting it. Its log: {service.log_path}\n--- last log lines ---\n"
                f"{tail(service.log_path, 30)}"
            )
        delay = self.policy.delay_s(watch.crashes_in_a_row)
        watch.restart_at = now + delay
        self.say(
            f"!!  {name} exited ({describe_exit(code)}) after {ran_s:.0f} s; restarting it in "
            f"{delay:.0f} s (crash {watch.crashes_in_a_row} in a row; "
            f"giving up at {self.policy.max_crashes_in_a_row}); log: {service.log_path}"
        )
