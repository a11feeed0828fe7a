"""A recognition connection whose failures are scripted, for testing the logic that
wraps real provider connections (reconnect, replay, rotation, failover)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from parley_speech import (
    FinalTranscript,
    ProviderAuthError,
    ProviderConnectionLost,
    RecognizerEvent,
    SpeechProviderError,
)

_END = object()


class ScriptedConnection:
    """Says "heard N frames" as a final transcript when finished; can drop after a
    number of frames."""

    def __init__(self, drop_after: int | None = None, refuse_later: bool = False) -> None:
        self.sent: list[bytes] = []
        self._drop_after = drop_after
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self.closed = False
        if refuse_later:  # accepted, then refused on the response stream (as gRPC does)
            self._queue.put_nowait(ProviderConnectionLost("scripted", "refused"))

    async def send(self, mulaw_frame: bytes) -> None:
        if self.closed:
            raise ProviderConnectionLost("scripted", "connection is closed")
        self.sent.append(mulaw_frame)
        if self._drop_after is not None and len(self.sent) >= self._drop_after:
            self.closed = True
            self._queue.put_nowait(ProviderConnectionLost("scripted", "dropped"))

    def say_final(self, text: str) -> None:
        """A final transcript covering everything this connection has received."""
        self._queue.put_nowait(FinalTranscript(text, 0.9, 0, len(self.sent) * 20))

    async def finish(self) -> None:
        self.say_final(f"heard {len(self.sent)} frames")
        self._queue.put_nowait(_END)

    async def close(self) -> None:
        self.closed = True
        self._queue.put_nowait(_END)

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        while (item := await self._queue.get()) is not _END:
            if isinstance(item, SpeechProviderError):
                raise item
            yield item  # type: ignore[misc]


@dataclass
class ScriptedProvider:
    """Hands out connections: ``plan`` says how each attempt goes (an int = drop after
    that many frames, None = healthy, "auth"/"down" = the attempt itself fails, "late" =
    accepted, then refused before any result)."""

    plan: list[int | str | None]
    connections: list[ScriptedConnection] = field(default_factory=list)
    attempts: int = 0

    async def connect(self) -> ScriptedConnection:
        step = self.plan[self.attempts] if self.attempts < len(self.plan) else None
        self.attempts += 1
        if step == "auth":
            raise ProviderAuthError("scripted", "401 invalid credentials")
        if step == "down":
            raise ProviderConnectionLost("scripted", "connection refused")
        assert step is None or isinstance(step, int) or step == "late"
        connection = ScriptedConnection(
            drop_after=step if isinstance(step, int) else None, refuse_later=step == "late"
        )
        self.connections.append(connection)
        return connection
