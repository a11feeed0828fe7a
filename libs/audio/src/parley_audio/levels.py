"""Loudness measures, used to tell speech from silence."""

from __future__ import annotations

import math

import numpy as np

from parley_audio.codec import Pcm16, mulaw_decode


def rms_dbfs(pcm: Pcm16) -> float:
    if len(pcm) == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(pcm.astype(np.float64)))))
    return -math.inf if rms == 0 else 20 * math.log10(rms / 32768)


def is_speech_like(mulaw: bytes, threshold_dbfs: float = -45.0) -> bool:
    """True when the audio is louder than quiet line noise."""
    return rms_dbfs(mulaw_decode(mulaw)) > threshold_dbfs
