"""Speech recognition for one call: the provider's stream plus the bookkeeping that maps
positions in the audio back to wall-clock time at the edge."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from parley_audio.framing import duration_ms
from parley_speech import RecognitionStream

# Enough history to place the end of any utterance we might still be finalising.
RECEIVE_TIME_HISTORY = 1500  # frames (30 s)
# Audio kept while the provider's stream is still being opened (connecting with retries
# takes a few seconds at most).
MAX_PENDING_FRAMES = 500  # 10 s


@dataclass
class CallRecognition:
    session_id: str
    edge_slot: int
    provider: str
    stream: RecognitionStream | None = None
    """None while the provider's stream is being opened."""
    fed_ms: int = 0
    pump: asyncio.Task[None] | None = None
    finishing: bool = False
    _pending: deque[bytes] = field(default_factory=lambda: deque(maxlen=MAX_PENDING_FRAMES))
    _receive_times: deque[tuple[int, int]] = field(
        default_factory=lambda: deque(maxlen=RECEIVE_TIME_HISTORY)
    )

    async def send(self, frame: bytes, received_at_ms: int) -> None:
        self._receive_times.append((self.fed_ms, received_at_ms))
        self.fed_ms += duration_ms(frame)
        if self.stream is None:
            self._pending.append(frame)
        else:
            await self.stream.send(frame)

    async def attach(self, stream: RecognitionStream) -> None:
        """The stream is open: send it the buffered audio, then new audio directly."""
        while self._pending:
            await stream.send(self._pending.popleft())
        self.stream = stream

    def received_at(self, offset_ms: int) -> int | None:
        """Edge receive time (epoch ms) of the frame holding ``offset_ms`` of audio."""
        best: int | None = None
        for offset, received in self._receive_times:
            if offset > offset_ms:
                break
            best = received
        return best
