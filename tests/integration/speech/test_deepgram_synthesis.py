"""Deepgram Aura synthesis through the real SDK against the local Deepgram fake."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import pytest
from parley_audio import FRAME_BYTES, MULAW_8K, silence_frame
from parley_devstack.fakes.deepgram import FakeDeepgram
from parley_speech import (
    ProviderAuthError,
    RetryingSynthesizer,
    SynthesisRequest,
    choose_voice,
    mulaw_frames,
)
from parley_speech.deepgram import AURA_VOICES, DeepgramSynthesizer
from parley_speech.providers import SYNTHESIZERS

from tests.integration.speech.deepgram_fake import environment_for, settings_for

pytestmark = pytest.mark.integration
LINE = "Your table for four is booked for Friday at seven."
LONG = " ".join(["This is a long sentence that would take many seconds to say."] * 6)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDeepgram]:
    async with FakeDeepgram() as server:
        yield server


@pytest.fixture
async def synthesizer(fake: FakeDeepgram) -> AsyncIterator[RetryingSynthesizer]:
    tts = RetryingSynthesizer(DeepgramSynthesizer(settings_for(fake)))
    yield tts
    await tts.aclose()


async def test_audio_streams_as_20ms_mulaw_frames_soon_after_the_request(
    fake: FakeDeepgram, synthesizer: RetryingSynthesizer
) -> None:
    assert synthesizer.output_format == MULAW_8K
    started = time.perf_counter()
    first_byte_s: float | None = None
    frames: list[bytes] = []
    request = SynthesisRequest(LINE, synthesizer.default_voice)
    async with contextlib.aclosing(mulaw_frames(synthesizer, request)) as stream:
        async for frame in stream:
            first_byte_s = first_byte_s or time.perf_counter() - started
            frames.append(frame)

    assert first_byte_s is not None
    assert first_byte_s < 1.0  # includes the SDK's lazy imports and a new connection
    assert all(len(frame) == FRAME_BYTES for frame in frames)
    record = fake.controls.speak_records[0]
    assert record.completed and len(frames) == -(-record.bytes_total // FRAME_BYTES)
    assert any(frame != silence_frame() for frame in frames)
    assert record.query == {
        "model": "aura-2-thalia-en",
        "encoding": "mulaw",
        "sample_rate": "8000",
        "container": "none",
    }
    started = time.perf_counter()
    async with contextlib.aclosing(synthesizer.stream(request)) as chunks:
        await anext(chunks)
    warm_s = time.perf_counter() - started
    print(
        f"first audio from the fake: {first_byte_s * 1000:.0f} ms cold, {warm_s * 1000:.0f} ms warm"
    )
    assert warm_s < 0.5


async def test_closing_the_stream_stops_the_server_sending(
    fake: FakeDeepgram, synthesizer: RetryingSynthesizer
) -> None:
    stream = mulaw_frames(synthesizer, SynthesisRequest(LONG, synthesizer.default_voice))
    assert len(await anext(stream)) == FRAME_BYTES
    closed_at = time.monotonic()
    await stream.aclose()
    assert time.monotonic() - closed_at < 0.5
    record = fake.controls.speak_records[0]
    for _ in range(50):
        if record.ended_at is not None:
            break
        await asyncio.sleep(0.01)
    assert record.cancelled and not record.completed
    assert record.bytes_sent < record.bytes_total / 2
    assert record.ended_at is not None and record.ended_at - closed_at < 0.5


async def test_speed_is_sent_within_auras_range(
    fake: FakeDeepgram, synthesizer: RetryingSynthesizer
) -> None:
    for speed in (1.2, 3.0):
        request = SynthesisRequest("Thank you.", synthesizer.default_voice, speed)
        async with contextlib.aclosing(synthesizer.stream(request)) as chunks:
            assert [chunk async for chunk in chunks]
    assert [r.query["speed"] for r in fake.controls.speak_records] == ["1.2", "1.5"]


async def test_an_unknown_voice_falls_back_to_the_default_with_a_warning(
    synthesizer: RetryingSynthesizer, caplog: pytest.LogCaptureFixture
) -> None:
    assert "aura-2-thalia-en" in synthesizer.voices() and "aura-asteria-en" in AURA_VOICES
    with caplog.at_level(logging.WARNING):
        choice = choose_voice(synthesizer, "en-US-Neural2-F")
    assert choice.voice == "aura-2-thalia-en"
    assert choice.warning and "en-US-Neural2-F" in choice.warning
    assert choose_voice(synthesizer, "aura-2-orion-en").warning is None


async def test_refused_credentials_are_not_retried(fake: FakeDeepgram) -> None:
    tts = RetryingSynthesizer(DeepgramSynthesizer(settings_for(fake, api_key="wrong")))
    with pytest.raises(ProviderAuthError):
        async with contextlib.aclosing(tts.stream(SynthesisRequest(LINE, tts.default_voice))) as s:
            async for _ in s:
                pass
    assert fake.controls.speak.attempts == 1
    await tts.aclose()


async def test_a_rate_limited_request_is_retried_after_retry_after(
    fake: FakeDeepgram, synthesizer: RetryingSynthesizer
) -> None:
    fake.controls.speak.rate_limit_next = 1
    fake.controls.speak.retry_after = "0.2"
    started = time.monotonic()
    request = SynthesisRequest(LINE, synthesizer.default_voice)
    async with contextlib.aclosing(synthesizer.stream(request)) as chunks:
        audio = b"".join([chunk async for chunk in chunks])
    assert time.monotonic() - started >= 0.2
    assert fake.controls.speak.attempts == 2
    assert len(audio) == fake.controls.speak_records[0].bytes_total


async def test_the_registry_wraps_it_in_retries(
    fake: FakeDeepgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment_for(fake, voice="aura-2-orion-en").items():
        monkeypatch.setenv(name, value)
    tts = SYNTHESIZERS["deepgram"]()
    assert isinstance(tts, RetryingSynthesizer) and tts.name == "deepgram"
    assert tts.default_voice == "aura-2-orion-en"
    await tts.aclose()
