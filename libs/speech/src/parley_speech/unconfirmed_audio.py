"""Caller audio the provider has not yet turned into a final transcript: what must be
replayed to a new connection so no words are lost."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable

from parley_audio.framing import duration_ms


class UnconfirmedAudio:
    def __init__(self, max_ms: int) -> None:
        self._frames: deque[tuple[int, bytes]] = deque()
        self._max_ms = max_ms
        self.fed_ms = 0
        """Total audio of the call so far."""

    def append(self, frame: bytes) -> None:
        self._frames.append((self.fed_ms, frame))
        self.fed_ms += duration_ms(frame)
        while self._frames and self.fed_ms - self._frames[0][0] > self._max_ms:
            self._frames.popleft()

    def confirm(self, end_ms: int) -> None:
        """Everything up to ``end_ms`` has a final transcript."""
        while self._frames and self._frames[0][0] + duration_ms(self._frames[0][1]) <= end_ms:
            self._frames.popleft()

    @property
    def start_ms(self) -> int:
        """Where the unconfirmed audio starts in the call (``fed_ms`` if there is none)."""
        return self._frames[0][0] if self._frames else self.fed_ms

    def __len__(self) -> int:
        return len(self._frames)

    def frames_from(self, offset_ms: int) -> list[tuple[int, bytes]]:
        """Frames starting at or after ``offset_ms``, with their offsets."""
        return [(offset, frame) for offset, frame in self._frames if offset >= offset_ms]

    async def replay(self, send: Callable[[bytes], Awaitable[None]]) -> None:
        """Send every unconfirmed frame from ``start_ms`` on, including frames appended
        while replaying, until caught up."""
        sent_to = self.start_ms
        while pending := self.frames_from(sent_to):
            for offset, frame in pending:
                await send(frame)
                sent_to = offset + duration_ms(frame)
