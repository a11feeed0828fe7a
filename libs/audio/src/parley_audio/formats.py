"""Audio formats the speech providers speak, conversion to Twilio's mu-law 8 kHz, and
checking that a buffer is what it claims to be."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

import numpy as np

from parley_audio.codec import mulaw_decode, mulaw_encode
from parley_audio.framing import SAMPLE_RATE
from parley_audio.resample import StreamResampler

Encoding = Literal["mulaw", "linear16"]


@dataclass(frozen=True, slots=True)
class AudioFormat:
    encoding: Encoding
    sample_rate: int

    def __str__(self) -> str:
        return f"{self.encoding}/{self.sample_rate}"


MULAW_8K = AudioFormat("mulaw", SAMPLE_RATE)


class AudioFormatError(ValueError):
    """A buffer is not in the encoding or at the rate it was expected to be."""


_WAV_FORMAT_CODES: dict[int, Encoding] = {1: "linear16", 7: "mulaw"}


def validate_audio(data: bytes, expected: AudioFormat) -> None:
    """Raise AudioFormatError unless ``data`` can be raw ``expected`` audio.

    A buffer with a WAV header is checked against the header; raw audio must be whole
    samples. (Raw samples carry no rate, so only a header can contradict the rate.)
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        found = wav_format(data)
        if found != expected:
            raise AudioFormatError(f"WAV audio is {found}, expected {expected}")
        return
    if expected.encoding == "linear16" and len(data) % 2:
        raise AudioFormatError(f"{len(data)} bytes is not a whole number of 16-bit samples")


def wav_format(data: bytes) -> AudioFormat:
    """The format in a WAV header (``AudioFormatError`` if unsupported or malformed)."""
    fmt = _wav_chunk(data, b"fmt ")
    if fmt is None or len(fmt[1]) < 16:
        raise AudioFormatError("WAV header has no fmt chunk")
    code, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[1][:16])
    encoding = _WAV_FORMAT_CODES.get(code)
    if encoding is None or channels != 1:
        raise AudioFormatError(f"unsupported WAV audio: format code {code}, {channels} channels")
    if (encoding == "linear16") != (bits == 16):
        raise AudioFormatError(f"unsupported WAV audio: {encoding} with {bits}-bit samples")
    return AudioFormat(encoding, rate)


def strip_wav_header(data: bytes) -> bytes:
    """The samples of a WAV buffer (the buffer itself if it has no header)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return data
    chunk = _wav_chunk(data, b"data")
    if chunk is None:
        raise AudioFormatError("WAV buffer has no data chunk")
    start, body = chunk
    return data[start : start + len(body)] if body else data[start:]


def _wav_chunk(data: bytes, name: bytes) -> tuple[int, bytes] | None:
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk_id == name:
            start = pos + 8
            # Streamed WAV headers often carry a placeholder size; take what is there.
            return start, data[start : min(len(data), start + size)]
        pos += 8 + size + (size & 1)
    return None


class Mulaw8kConverter:
    """Streams audio in ``source`` format to mu-law 8 kHz, keeping resampler state
    across chunks so chunk edges do not click. Chunks may split samples."""

    def __init__(self, source: AudioFormat) -> None:
        self.source = source
        self._carry = b""
        self._resampler = (
            StreamResampler(source.sample_rate, SAMPLE_RATE)
            if source.sample_rate != SAMPLE_RATE
            else None
        )

    def convert(self, chunk: bytes) -> bytes:
        if self.source == MULAW_8K:
            return chunk
        data = self._carry + chunk
        if self.source.encoding == "linear16":
            whole = len(data) - len(data) % 2
            self._carry = data[whole:]
            pcm = np.frombuffer(data[:whole], dtype="<i2").astype(np.int16)
        else:
            self._carry = b""
            pcm = mulaw_decode(data)
        if self._resampler is not None:
            pcm = self._resampler.process(pcm)
        return mulaw_encode(pcm) if len(pcm) else b""

    def flush(self) -> bytes:
        self._carry = b""
        if self._resampler is None:
            return b""
        tail = self._resampler.flush()
        return mulaw_encode(tail) if len(tail) else b""
