"""Resampling keeps the signal and, streamed, matches a one-shot conversion."""

from __future__ import annotations

import numpy as np
from parley_audio import StreamResampler, resample


def tone(freq: float, rate: int, seconds: float, amplitude: float = 8000.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_frequency(pcm: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(len(pcm))))
    return float(np.fft.rfftfreq(len(pcm), 1 / rate)[np.argmax(spectrum)])


def test_resample_keeps_length_ratio_and_pitch() -> None:
    source = tone(440, 22050, 1.0)
    out = resample(source, 22050, 8000)
    assert abs(len(out) - 8000) <= 2
    assert abs(dominant_frequency(out, 8000) - 440) < 5


def test_same_rate_is_a_no_op() -> None:
    source = tone(300, 8000, 0.1)
    assert np.array_equal(resample(source, 8000, 8000), source)


def test_streaming_in_20ms_chunks_equals_one_shot() -> None:
    """Filter state carries across chunks, so frame edges add no clicks."""
    source = tone(440, 8000, 1.0)
    whole = StreamResampler(8000, 16000)
    expected = np.concatenate([whole.process(source), whole.flush()])
    streamed = StreamResampler(8000, 16000)
    chunks = [streamed.process(source[i : i + 160]) for i in range(0, len(source), 160)]
    got = np.concatenate([*chunks, streamed.flush()])
    assert len(got) == len(expected)
    # Only int16 rounding may differ.
    assert np.max(np.abs(got.astype(np.int32) - expected.astype(np.int32))) <= 3


def test_streamed_output_has_no_discontinuity_at_chunk_edges() -> None:
    source = tone(200, 8000, 0.5)
    resampler = StreamResampler(8000, 16000)
    out = np.concatenate(
        [resampler.process(source[i : i + 160]) for i in range(0, len(source), 160)]
    ).astype(np.int32)
    # A 200 Hz tone at 16 kHz moves at most ~2*pi*200/16000*8000 ~ 630 per sample.
    assert np.max(np.abs(np.diff(out[200:]))) < 700
