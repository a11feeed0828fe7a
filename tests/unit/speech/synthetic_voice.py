"""Vowel-like sound the voice-activity detector takes for speech, without a synthesiser:
a 140 Hz voice with its harmonics, swelling at a syllable rate, as mu-law frames."""

from __future__ import annotations

import numpy as np
from parley_audio import silence_frame, split_frames
from parley_audio.codec import mulaw_encode

RATE = 8000


def voiced_mulaw(ms: int, pitch_hz: float = 140.0) -> bytes:
    t = np.arange(RATE * ms // 1000) / RATE
    voice = sum(np.sin(2 * np.pi * pitch_hz * k * t) / k for k in range(1, 27))
    syllables = 1 + 0.5 * np.sin(2 * np.pi * 4 * t)
    signal = voice * syllables
    return mulaw_encode((signal / np.max(np.abs(signal)) * 8000).astype(np.int16))


def voiced(ms: int) -> list[bytes]:
    return split_frames(voiced_mulaw(ms))


def silence(ms: int) -> list[bytes]:
    return [silence_frame()] * (ms // 20)
