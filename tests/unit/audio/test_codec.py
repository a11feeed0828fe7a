"""G.711 mu-law against the standard's known code points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parley_audio import mulaw_decode, mulaw_encode

# (linear sample, mu-law byte) pairs from the G.711 tables (as produced by the reference
# encoder in CPython's audioop): 0xFF and 0x7F are the two
# zeros, 0x80/0x00 the loudest positive/negative codes.
KNOWN_ENCODINGS = [
    (0, 0xFF),
    (-1, 0x7E),
    (32767, 0x80),
    (-32768, 0x00),
    (32124, 0x80),
    (-32124, 0x00),
    (1000, 0xCE),
    (-1000, 0x4E),
]
KNOWN_DECODINGS = [(0xFF, 0), (0x7F, 0), (0x80, 32124), (0x00, -32124), (0xCE, 988), (0x4E, -988)]


@pytest.mark.parametrize(("linear", "code"), KNOWN_ENCODINGS)
def test_encode_matches_g711(linear: int, code: int) -> None:
    assert mulaw_encode(np.array([linear], dtype=np.int16)) == bytes([code])


@pytest.mark.parametrize(("code", "linear"), KNOWN_DECODINGS)
def test_decode_matches_g711(code: int, linear: int) -> None:
    assert mulaw_decode(bytes([code])).tolist() == [linear]


def test_every_code_survives_decode_then_encode() -> None:
    codes = bytes(range(256))
    again = mulaw_encode(mulaw_decode(codes))
    # 0x7F (negative zero) legitimately comes back as 0xFF (positive zero).
    assert again == codes.replace(b"\x7f", b"\xff")


@given(st.lists(st.integers(-32768, 32767), min_size=1, max_size=400))
def test_round_trip_error_stays_within_the_segment_step(samples: list[int]) -> None:
    pcm = np.array(samples, dtype=np.int16)
    back = mulaw_decode(mulaw_encode(pcm)).astype(np.int32)
    error = np.abs(back - pcm.astype(np.int32))
    # Quantisation step doubles per segment: at most 1/16 of the magnitude plus the bias.
    assert np.all(error <= np.abs(pcm.astype(np.int32)) // 16 + 132)


def test_decode_of_a_frame_is_one_sample_per_byte() -> None:
    assert mulaw_decode(b"\xff" * 160).shape == (160,)
