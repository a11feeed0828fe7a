"""One lane per call: a call's events are handled one at a time and in order, while
different calls proceed concurrently (a slow agent reply for one caller must not hold
up every other call on the same partitions)."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class SessionLanes:
    def __init__(self) -> None:
        self._queues: dict[str, deque[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, session_id: str, job: Job) -> None:
        queue = self._queues.get(session_id)
        if queue is not None:
            queue.append(job)
            return
        self._queues[session_id] = deque([job])
        task = asyncio.create_task(self._drain(session_id), name=f"lane-{session_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, session_id: str) -> None:
        queue = self._queues[session_id]
        try:
            while queue:
                job = queue[0]
                try:
                    await job()
                except Exception:
                    log.exception(
                        "handling a call event failed; continuing with the next",
                        extra={"event": "dialogue.handler_failed", "session": session_id},
                    )
                queue.popleft()
        finally:
            del self._queues[session_id]

    @property
    def busy(self) -> int:
        return len(self._queues)

    async def drain_all(self, timeout_s: float = 5.0) -> None:
        """On shutdown: let in-flight work finish (briefly), then cancel the rest."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in pending:
                task.cancel()
