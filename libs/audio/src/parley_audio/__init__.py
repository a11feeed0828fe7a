"""Audio for telephony: mu-law codec, resampling, 20 ms framing, WAV files, levels, and
conversion of providers' formats to mu-law 8 kHz."""

from parley_audio.codec import Pcm16, mulaw_decode, mulaw_encode
from parley_audio.formats import (
    MULAW_8K,
    AudioFormat,
    AudioFormatError,
    Mulaw8kConverter,
    strip_wav_header,
    validate_audio,
    wav_format,
)
from parley_audio.framing import (
    FRAME_BYTES,
    FRAME_MS,
    MULAW_SILENCE,
    SAMPLE_RATE,
    FrameAccumulator,
    silence_frame,
    split_frames,
)
from parley_audio.levels import is_speech_like, rms_dbfs
from parley_audio.resample import StreamResampler, resample
from parley_audio.wav import UnsupportedWavError, read_wav_as_mulaw8k, write_mulaw8k_as_wav

__all__ = [
    "FRAME_BYTES",
    "FRAME_MS",
    "MULAW_8K",
    "MULAW_SILENCE",
    "SAMPLE_RATE",
    "AudioFormat",
    "AudioFormatError",
    "FrameAccumulator",
    "Mulaw8kConverter",
    "Pcm16",
    "StreamResampler",
    "UnsupportedWavError",
    "is_speech_like",
    "mulaw_decode",
    "mulaw_encode",
    "read_wav_as_mulaw8k",
    "resample",
    "rms_dbfs",
    "silence_frame",
    "split_frames",
    "strip_wav_header",
    "validate_audio",
    "wav_format",
    "write_mulaw8k_as_wav",
]
