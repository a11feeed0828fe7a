"""Warming a service's engine up at start-up, and reporting it in readiness."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class EngineNotReadyError(RuntimeError):
    pass


class EngineWarmup:
    """Runs `load` (loading a model, a first slow inference) once, in the background.

    `check` is a readiness check: not ready while loading, and not ready with the reason
    if loading failed, so a broken model keeps the instance out of rotation.
    """

    def __init__(self, what: str, load: Callable[[], Awaitable[None]]) -> None:
        self._what = what
        self._load = load
        self._task: asyncio.Task[None] | None = None
        self._failure: Exception | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"warmup-{self._what}")

    async def _run(self) -> None:
        started = time.perf_counter()
        try:
            await self._load()
        except Exception as exc:
            self._failure = exc
            log.exception("engine failed to load", extra={"event": "engine.failed"})
            return
        took_ms = round((time.perf_counter() - started) * 1000)
        log.info("engine loaded", extra={"event": "engine.loaded", "tookMs": took_ms})

    async def check(self) -> None:
        if self._task is None or not self._task.done():
            raise EngineNotReadyError(f"{self._what} is still loading")
        if self._task.cancelled():
            raise EngineNotReadyError(f"{self._what} loading was cancelled")
        if self._failure is not None:
            raise EngineNotReadyError(
                f"{self._what} failed to load ({self._failure}); check its model settings "
                "and restart"
            )

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
