"""The local speech engines timed on their own, in audio time where they wait for audio."""

from __future__ import annotations

import time
from dataclasses import dataclass

from parley_audio.framing import FRAME_MS, silence_frame
from parley_speech import FinalTranscript, PocketsphinxRecognizerFactory

MAX_SILENCE_FRAMES = 100  # 2 s: an utterance not finalised by then counts as missed


@dataclass
class Recognition:
    """One utterance through pocketsphinx, followed by silence until its final."""

    text: str | None
    """The final transcript; None when none came within MAX_SILENCE_FRAMES."""
    endpoint_wait_ms: float
    """Silence (audio time, whole frames) the endpointer waited for after the speech."""
    final_decode_ms: float
    """Time spent decoding the frame that yielded the final."""
    decode_ms: float
    audio_ms: float

    @property
    def latency_ms(self) -> float:
        """End of speech -> final transcript for a recogniser keeping up with real time."""
        return self.endpoint_wait_ms + self.final_decode_ms


def recognise(
    factory: PocketsphinxRecognizerFactory, frames: list[bytes], lead_in_frames: int = 0
) -> Recognition:
    recognizer = factory.create()
    decode_ms = 0.0
    try:
        for frame in [silence_frame()] * lead_in_frames + frames:
            started = time.perf_counter()
            recognizer.feed(frame)
            decode_ms += (time.perf_counter() - started) * 1000
        audio_ms = (lead_in_frames + len(frames)) * FRAME_MS
        for silent in range(1, MAX_SILENCE_FRAMES + 1):
            started = time.perf_counter()
            events = recognizer.feed(silence_frame())
            spent = (time.perf_counter() - started) * 1000
            decode_ms += spent
            audio_ms += FRAME_MS
            text = next((e.text for e in events if isinstance(e, FinalTranscript)), None)
            if text is not None:
                return Recognition(text, silent * FRAME_MS, spent, decode_ms, audio_ms)
        return Recognition(None, MAX_SILENCE_FRAMES * FRAME_MS, 0.0, decode_ms, audio_ms)
    finally:
        recognizer.close()
