"""The caller's voice: piper-synthesised lines or a WAV file, as 20 ms mu-law frames."""

from __future__ import annotations

from pathlib import Path

from parley_audio.framing import split_frames
from parley_audio.levels import is_speech_like
from parley_audio.wav import read_wav_as_mulaw8k
from parley_speech import PiperSynthesizer


def trim_silence(frames: list[bytes]) -> list[bytes]:
    """Drop leading and trailing silent frames so "end of speech" is the real end."""
    speech = [i for i, frame in enumerate(frames) if is_speech_like(frame)]
    if not speech:
        return frames
    return frames[speech[0] : speech[-1] + 1]


# A calm, repeatable caller: the same line always produces the same audio, so a call
# can be replayed exactly, and a slightly slow pace suits telephone-band recognisers.
CALLER_SPEED = 0.87
CALLER_VARIATION = 0.0


class CallerVoice:
    def __init__(self) -> None:
        self._synthesizer: PiperSynthesizer | None = None

    def say(self, text: str) -> list[bytes]:
        if self._synthesizer is None:
            self._synthesizer = PiperSynthesizer(speed=CALLER_SPEED, variation=CALLER_VARIATION)
        audio = b"".join(self._synthesizer.synthesize_mulaw8k(text))
        return trim_silence(split_frames(audio))

    @staticmethod
    def from_wav(path: Path) -> list[bytes]:
        return trim_silence(split_frames(read_wav_as_mulaw8k(path)))
