"""Sample-rate conversion with soxr; the streaming form keeps filter state across
chunks so frame boundaries do not click."""

from __future__ import annotations

import numpy as np
import soxr

from parley_audio.codec import Pcm16


class StreamResampler:
    def __init__(self, in_rate: int, out_rate: int) -> None:
        self.in_rate = in_rate
        self.out_rate = out_rate
        self._stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16", quality="HQ")

    def process(self, pcm: Pcm16) -> Pcm16:
        out = self._stream.resample_chunk(np.asarray(pcm, dtype=np.int16), last=False)
        return np.asarray(out, dtype=np.int16)

    def flush(self) -> Pcm16:
        out = self._stream.resample_chunk(np.zeros(0, dtype=np.int16), last=True)
        return np.asarray(out, dtype=np.int16)


def resample(pcm: Pcm16, in_rate: int, out_rate: int) -> Pcm16:
    if in_rate == out_rate:
        return np.asarray(pcm, dtype=np.int16)
    return np.asarray(
        soxr.resample(np.asarray(pcm, dtype=np.int16), in_rate, out_rate), dtype=np.int16
    )
