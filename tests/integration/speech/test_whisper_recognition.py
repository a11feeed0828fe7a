"""Whisper hears piper's voice over a telephone line: synthesised, mu-law 8 kHz, 20 ms
frames, through the real model."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import jiwer
import pytest
from parley_audio import silence_frame, split_frames
from parley_speech import EndpointingConfig, FinalTranscript, PiperSynthesizer, SpeechStarted
from parley_speech.whisper import WhisperRecognizer, WhisperSettings

pytestmark = pytest.mark.integration
LINES = [
    "I would like to book an appointment for tomorrow at two",
    "what time do you open on monday",
    "my number is five five five one two three four",
]


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


@pytest.fixture(scope="module")
async def whisper() -> AsyncIterator[WhisperRecognizer]:
    recognizer = WhisperRecognizer(WhisperSettings())
    yield recognizer
    await recognizer.aclose()


async def test_phone_line_speech_is_recognised(whisper: WhisperRecognizer) -> None:
    piper = PiperSynthesizer(variation=0.0)
    stream = await whisper.open(EndpointingConfig())
    expected_ends = []
    fed = 0
    for line in LINES:
        frames = [silence_frame()] * 25 + split_frames(b"".join(piper.synthesize_mulaw8k(line)))
        frames += [silence_frame()] * 50
        for frame in frames:
            await stream.send(frame)
        expected_ends.append((fed + len(frames) - 50) * 20)
        fed += len(frames)
    await stream.finish()
    events = [event async for event in stream.events()]
    await stream.close()

    finals = [e for e in events if isinstance(e, FinalTranscript)]
    marks = [type(e) for e in events if isinstance(e, SpeechStarted | FinalTranscript)]
    assert marks == [SpeechStarted, FinalTranscript] * len(LINES)
    heard = [words(f.text) for f in finals]
    error = jiwer.wer([words(line) for line in LINES], heard)
    assert error <= 0.25, f"word error rate {error:.2f}: heard {heard}"
    for final, end_ms in zip(finals, expected_ends, strict=True):
        assert 0.0 < final.confidence <= 1.0
        assert final.start_ms < final.end_ms
        assert abs(final.end_ms - end_ms) <= 500, (final.end_ms, end_ms)
