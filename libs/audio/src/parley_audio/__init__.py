"""Audio for telephony: mu-law codec, resampling, 20 ms framing, WAV files, levels."""

from parley_audio.codec import Pcm16, mulaw_decode, mulaw_encode
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
    "MULAW_SILENCE",
    "SAMPLE_RATE",
    "FrameAccumulator",
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
    "write_mulaw8k_as_wav",
]
