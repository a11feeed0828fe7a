"""Speech recognition for one call: a recogniser plus the bookkeeping that maps
positions in the audio back to wall-clock time at the edge."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from parley_audio.framing import FRAME_MS
from parley_speech import RecognizerEvent, StreamingRecognizer

# Enough history to place the end of any utterance we might still be finalising.
RECEIVE_TIME_HISTORY = 1500  # frames (30 s)


@dataclass
class CallRecognition:
    session_id: str
    edge_slot: int
    recognizer: StreamingRecognizer
    fed_ms: int = 0
    _receive_times: deque[tuple[int, int]] = field(
        default_factory=lambda: deque(maxlen=RECEIVE_TIME_HISTORY)
    )

    def feed(self, frame: bytes, received_at_ms: int) -> list[RecognizerEvent]:
        """Runs the (CPU-bound) recogniser; call it from a worker thread."""
        self._receive_times.append((self.fed_ms, received_at_ms))
        self.fed_ms += max(1, len(frame) * 1000 // 8000) if len(frame) != 160 else FRAME_MS
        return self.recognizer.feed(frame)

    def received_at(self, offset_ms: int) -> int | None:
        """Edge receive time (epoch ms) of the frame holding ``offset_ms`` of audio."""
        best: int | None = None
        for offset, received in self._receive_times:
            if offset > offset_ms:
                break
            best = received
        return best
