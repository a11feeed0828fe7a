"""G.711 mu-law <-> 16-bit linear PCM, table-driven with numpy (bit-exact with audioop)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Pcm16 = npt.NDArray[np.int16]

_BIAS = 0x84


def _build_decode_table() -> Pcm16:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _build_encode_table() -> npt.NDArray[np.uint8]:
    # The classic 14-bit G.711 encoder (as in audioop): drop two bits, bias, find the
    # segment, keep four mantissa bits, invert.
    value = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(value < 0, 0x7F, 0xFF)
    value = np.minimum(np.abs(value), 8159) + (_BIAS >> 2)
    segment_ends = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
    segment = np.searchsorted(segment_ends, value, side="left")
    ulaw = np.where(
        segment >= 8,
        0x7F,
        (np.minimum(segment, 7) << 4) | ((value >> (np.minimum(segment, 7) + 1)) & 0xF),
    )
    table: npt.NDArray[np.uint8] = ((ulaw ^ mask) & 0xFF).astype(np.uint8)
    return table


_DECODE = _build_decode_table()
_ENCODE = _build_encode_table()


def mulaw_decode(data: bytes) -> Pcm16:
    """mu-law bytes to int16 samples."""
    return _DECODE[np.frombuffer(data, dtype=np.uint8)]


def mulaw_encode(pcm: Pcm16) -> bytes:
    """int16 samples to mu-law bytes."""
    index = np.asarray(pcm, dtype=np.int16).astype(np.int32) + 32768
    return bytes(_ENCODE[index].tobytes())
