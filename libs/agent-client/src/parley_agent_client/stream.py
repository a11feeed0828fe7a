"""One agent reply as it is written: its text deltas as they arrive, then the final reply.

The tool call runs in a task of its own, so the reader takes the deltas at its own pace
and can give up on the reply (a speculative one the caller's final words did not
confirm): leaving the stream cancels the call, and the MCP client then tells the agent
so (`notifications/cancelled`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType

from parley_agent_client.contract import AgentReply

ReplyCall = Callable[["AgentStream"], Awaitable[AgentReply]]
"""Makes the tool call, handing each piece of reply text to the stream's `delta`."""


@dataclass(frozen=True)
class _Ended:
    reply: AgentReply | None = None
    error: Exception | None = None


class AgentStream:
    """Enter with `async with`, iterate for the deltas, then read `reply`; an AgentError
    the call ended with is raised by the iteration (after the deltas that came first)."""

    def __init__(self, call: ReplyCall) -> None:
        self._call = call
        self._items: asyncio.Queue[str | _Ended] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ended: _Ended | None = None
        self._call_done = False
        self.text = ""
        """The reply as streamed so far: every delta received, in order."""
        self.ignored = 0
        """Progress messages of this call that were no reply delta (and were ignored)."""

    @property
    def received(self) -> bool:
        """Whether any reply text has arrived (a call that streamed is never retried)."""
        return bool(self.text)

    @property
    def reply(self) -> AgentReply | None:
        """The agent's final reply, once the iteration has ended with one."""
        return self._ended.reply if self._ended is not None else None

    def delta(self, text: str) -> None:
        """The next piece of reply text; pieces that arrive after the result are dropped
        (the result holds the whole reply)."""
        if text and not self._call_done:
            self.text += text
            self._items.put_nowait(text)

    async def __aenter__(self) -> AgentStream:
        self._task = asyncio.create_task(self._run(), name="agent-call")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self) -> None:
        try:
            ended = _Ended(reply=await self._call(self))
        except Exception as exc:  # raised to the reader by the iteration
            ended = _Ended(error=exc)
        self._call_done = True
        self._items.put_nowait(ended)

    def __aiter__(self) -> AgentStream:
        return self

    async def __anext__(self) -> str:
        if self._task is None:
            raise RuntimeError("enter the agent stream (`async with`) before reading it")
        if self._ended is None:
            item = await self._items.get()
            if isinstance(item, str):
                return item
            self._ended = item
        if self._ended.error is not None:
            raise self._ended.error
        raise StopAsyncIteration

    async def final(self) -> AgentReply:
        """Read to the end; the final reply."""
        async for _ in self:
            pass
        assert self._ended is not None and self._ended.reply is not None
        return self._ended.reply

    async def aclose(self) -> None:
        """Cancel the call if it is still running, and wait until it has stopped."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})
