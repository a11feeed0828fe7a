"""20 ms mu-law frames, the unit of audio on the wire (Twilio and Kafka alike)."""

from __future__ import annotations

SAMPLE_RATE = 8000
FRAME_MS = 20
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000
MULAW_SILENCE = 0xFF

_SILENCE = bytes([MULAW_SILENCE]) * FRAME_BYTES


def silence_frame() -> bytes:
    return _SILENCE


def duration_ms(mulaw: bytes) -> int:
    """How long a piece of mu-law 8 kHz audio lasts (at least 1 ms if not empty)."""
    return FRAME_MS if len(mulaw) == FRAME_BYTES else max(1, len(mulaw) * 1000 // SAMPLE_RATE)


def split_frames(mulaw: bytes, pad: bool = True) -> list[bytes]:
    """Cut audio into 160-byte frames; the last is padded with silence (or dropped)."""
    frames = [mulaw[i : i + FRAME_BYTES] for i in range(0, len(mulaw), FRAME_BYTES)]
    if frames and len(frames[-1]) < FRAME_BYTES:
        if pad:
            frames[-1] = frames[-1] + bytes([MULAW_SILENCE]) * (FRAME_BYTES - len(frames[-1]))
        else:
            frames.pop()
    return frames


class FrameAccumulator:
    """Re-chunks audio arriving in arbitrary sizes into whole frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def push(self, data: bytes) -> list[bytes]:
        if not self._buffer and len(data) == FRAME_BYTES:
            return [data]  # already a whole frame (e.g. audio framed upstream)
        self._buffer.extend(data)
        whole = len(self._buffer) - len(self._buffer) % FRAME_BYTES
        frames = split_frames(bytes(self._buffer[:whole]))
        del self._buffer[:whole]
        return frames

    def flush(self, pad: bool = True) -> list[bytes]:
        rest = bytes(self._buffer)
        self._buffer.clear()
        return split_frames(rest, pad=pad)
