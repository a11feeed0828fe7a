"""WAV files in and out (16-bit PCM, which every player opens)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from parley_audio.codec import Pcm16, mulaw_decode, mulaw_encode
from parley_audio.framing import SAMPLE_RATE
from parley_audio.resample import resample


class UnsupportedWavError(ValueError):
    pass


def read_wav_as_mulaw8k(path: Path | str) -> bytes:
    """Any 16-bit PCM WAV (mono or stereo, any rate) as mu-law 8 kHz."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise UnsupportedWavError(f"{path}: only 16-bit PCM WAV files are supported")
        channels, rate = wav.getnchannels(), wav.getframerate()
        pcm: Pcm16 = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int16)
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return mulaw_encode(resample(pcm, rate, SAMPLE_RATE))


def pcm16_from_mulaw8k(mulaw: bytes) -> Pcm16:
    return mulaw_decode(mulaw)


def write_mulaw8k_as_wav(path: Path | str, mulaw: bytes) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(mulaw_decode(mulaw).astype("<i2").tobytes())
