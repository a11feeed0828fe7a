"""An MCP client session entered, held and left by a task of its own.

The MCP client reads the agent's messages in an anyio task group bound to the task
that entered the client. When the agent goes away, that group cancels the task that
entered it, and leaving the client from any other task fails. Entered from whichever
task connected first (the service's start-up, or a caller's turn), an agent crash would
cancel that task. A dedicated task confines the cancellation to the session itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from mcp import Client

log = logging.getLogger(__name__)

SessionOpener = Callable[[AsyncExitStack], Awaitable[Client]]
CLOSE_WAIT_S = 5.0


class HostedSession:
    def __init__(self, open_session: SessionOpener) -> None:
        self._open_session = open_session
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def open(self) -> Client:
        """Start the hosting task and return its client once open; raises what opening
        raised. Cancelling the caller cancels the opening too."""
        ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._host(ready), name="agent-session")
        try:
            return await ready
        except asyncio.CancelledError:
            self._task.cancel()
            raise

    async def close(self) -> None:
        """Leave the session (in its own task) and wait for it, briefly."""
        task = self._task
        if task is None:
            return
        self._closing.set()
        await asyncio.wait({task}, timeout=CLOSE_WAIT_S)
        if not task.done():
            task.cancel()
            await asyncio.wait({task})

    async def _host(self, ready: asyncio.Future[Client]) -> None:
        try:
            async with AsyncExitStack() as stack:
                client = await self._open_session(stack)
                if ready.done():  # the caller gave up meanwhile
                    return
                ready.set_result(client)
                await self._closing.wait()
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
                return
            log.info(
                "agent session ended", extra={"event": "agent.session_ended", "error": str(exc)}
            )
        finally:
            ready.cancel()  # no-op once a client or an error was handed over
