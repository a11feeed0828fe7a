"""Stand-in speech for the fake's ``/v1/speak``: a deterministic tone per word, as long
as the word would take to say, so tests get real, non-silent mu-law audio whose length
follows the text."""

from __future__ import annotations

import numpy as np
from parley_audio import mulaw_encode

SAMPLE_RATE = 8000
MS_PER_CHAR = 55
WORD_BASE_MS = 120
GAP_MS = 60


def _word(word: str, speed: float) -> np.ndarray:
    duration_s = (WORD_BASE_MS + MS_PER_CHAR * len(word)) / 1000 / speed
    t = np.arange(int(duration_s * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = 140 + (sum(map(ord, word)) % 8) * 15
    envelope = np.sin(np.pi * t / duration_s)  # each word swells and fades like a syllable
    voice = np.sin(2 * np.pi * pitch * t) + 0.4 * np.sin(2 * np.pi * 2 * pitch * t)
    return (voice * envelope * 9000).astype(np.int16)


def tone_speech_mulaw(text: str, speed: float = 1.0) -> bytes:
    gap = np.zeros(int(GAP_MS / 1000 / speed * SAMPLE_RATE), dtype=np.int16)
    parts: list[np.ndarray] = []
    for word in text.split():
        parts.extend((_word(word, speed), gap))
    if not parts:
        return b""
    return mulaw_encode(np.concatenate(parts))
