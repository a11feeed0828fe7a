"""Liveness (event loop responsive) and readiness (named dependency checks)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises (with a message saying what is wrong) when a dependency is not ready."""

LOOP_PROBE_INTERVAL_S = 0.5
MAX_LOOP_LAG_S = 2.0


@dataclass
class LoopLagProbe:
    """Measures how late the event loop wakes up; a stuck loop means the process is unhealthy."""

    last_lag_s: float = 0.0
    last_beat: float = field(default_factory=time.monotonic)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(LOOP_PROBE_INTERVAL_S)
            self.last_beat = time.monotonic()
            self.last_lag_s = self.last_beat - before - LOOP_PROBE_INTERVAL_S

    def healthy(self) -> bool:
        stale = time.monotonic() - self.last_beat > LOOP_PROBE_INTERVAL_S + MAX_LOOP_LAG_S
        return not stale and self.last_lag_s < MAX_LOOP_LAG_S


class Readiness:
    def __init__(self) -> None:
        self._checks: dict[str, ReadinessCheck] = {}

    def add(self, name: str, check: ReadinessCheck) -> None:
        self._checks[name] = check

    async def evaluate(self, timeout_s: float = 2.0) -> dict[str, str]:
        """Map of check name to "ok" or the reason it failed."""

        async def run(check: ReadinessCheck) -> str:
            try:
                await asyncio.wait_for(check(), timeout_s)
            except TimeoutError:
                return f"timed out after {timeout_s} s"
            except Exception as exc:
                return str(exc) or type(exc).__name__
            return "ok"

        names = list(self._checks)
        results = await asyncio.gather(*(run(self._checks[n]) for n in names))
        return dict(zip(names, results, strict=True))
