"""Google Cloud Text-to-Speech through Google's client library against the local gRPC
fake, which answers with real speech inside a WAV header as Google does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import pytest
from parley_audio import FRAME_BYTES, MULAW_8K, silence_frame
from parley_devstack.fakes.google_audio import FakeVoice
from parley_devstack.fakes.google_speech import VOICES, FakeGoogleSpeech
from parley_speech import (
    ProviderAuthError,
    RetryingSynthesizer,
    SynthesisRequest,
    choose_voice,
    mulaw_frames,
)
from parley_speech.google import GoogleSynthesizer
from parley_speech.providers import SYNTHESIZERS

from tests.integration.speech.google_fake import FAST_RETRIES, settings_for

pytestmark = pytest.mark.integration
LINE = "Your appointment is on Monday at nine."


@pytest.fixture(scope="module")
async def voice() -> AsyncIterator[FakeVoice]:
    """piper loaded once for every fake of the module, so timings measure the provider."""
    loaded = FakeVoice()
    await loaded.load()
    yield loaded
    loaded.close()


@pytest.fixture
async def fake(voice: FakeVoice) -> AsyncIterator[FakeGoogleSpeech]:
    async with FakeGoogleSpeech(voice=voice) as server:
        yield server


@pytest.fixture
async def synthesizer(fake: FakeGoogleSpeech) -> AsyncIterator[RetryingSynthesizer]:
    synthesizer = RetryingSynthesizer(GoogleSynthesizer(settings_for(fake)), FAST_RETRIES)
    yield synthesizer
    await synthesizer.aclose()


async def test_speech_arrives_as_20ms_mulaw_frames_without_the_wav_header(
    fake: FakeGoogleSpeech, synthesizer: RetryingSynthesizer
) -> None:
    assert synthesizer.output_format == MULAW_8K
    request = SynthesisRequest(LINE, "en-US-Standard-C", speed=1.1)
    chunks = [chunk async for chunk in synthesizer.stream(request)]
    assert len(chunks) > 1, "a sentence is yielded in pieces"
    assert not chunks[0].startswith(b"RIFF"), "the WAV header is stripped"

    started = time.perf_counter()
    first_frame_s: float | None = None
    frames: list[bytes] = []
    async with contextlib.aclosing(mulaw_frames(synthesizer, request)) as stream:
        async for frame in stream:
            first_frame_s = first_frame_s or time.perf_counter() - started
            frames.append(frame)
    # The whole sentence is synthesised before the first frame (piper in the fake, here).
    assert first_frame_s is not None and first_frame_s < 5.0
    assert all(len(frame) == FRAME_BYTES for frame in frames)
    assert 0.8 <= len(frames) * 0.02 <= 6.0 and any(f != silence_frame() for f in frames)
    # No header bytes are played: the frames are the samples, the last one padded.
    samples = b"".join(chunks)
    assert b"".join(frames)[: len(samples)] == samples
    assert len(frames) == -(-len(samples) // FRAME_BYTES)
    sent = fake.seen.syntheses[0]
    assert sent.audio_config.audio_encoding.name == "MULAW"
    assert sent.audio_config.sample_rate_hertz == 8000
    assert sent.audio_config.speaking_rate == pytest.approx(1.1)
    assert sent.voice.name == "en-US-Standard-C" and sent.voice.language_code == "en-US"


async def test_a_longer_text_is_requested_sentence_by_sentence_in_order(
    fake: FakeGoogleSpeech, synthesizer: RetryingSynthesizer
) -> None:
    sentences = ["Hello there.", "Your table is booked!", "Anything else?"]
    request = SynthesisRequest(" ".join(sentences), synthesizer.default_voice)
    audio = b"".join([chunk async for chunk in synthesizer.stream(request)])
    assert [s.input.text for s in fake.seen.syntheses] == sentences
    alone = [
        b"".join([c async for c in synthesizer.stream(SynthesisRequest(s, request.voice))])
        for s in sentences
    ]
    assert audio == b"".join(alone)  # the same voice, so the same audio, in order


async def test_cancelling_a_synthesis_in_flight_cancels_the_request(
    fake: FakeGoogleSpeech, synthesizer: RetryingSynthesizer
) -> None:
    fake.cues.tts_delay_s = 5.0
    request = SynthesisRequest(LINE, synthesizer.default_voice)
    task = asyncio.create_task(anext(mulaw_frames(synthesizer, request)))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(50):
        if fake.seen.syntheses_cancelled:
            break
        await asyncio.sleep(0.02)
    assert fake.seen.syntheses_cancelled == 1, "Google saw the request cancelled"

    fake.cues.tts_delay_s = 0.0
    stream = mulaw_frames(synthesizer, request)
    assert len(await anext(stream)) == FRAME_BYTES
    await stream.aclose()  # closing early after the first frame is clean too
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_an_unknown_voice_falls_back_to_the_default_with_a_warning(
    fake: FakeGoogleSpeech, synthesizer: RetryingSynthesizer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        frames = [f async for f in mulaw_frames(synthesizer, SynthesisRequest(LINE, "en-US-Nope"))]
    assert frames
    assert fake.seen.syntheses[-1].voice.name == synthesizer.default_voice
    assert any("en-US-Nope" in record.getMessage() for record in caplog.records)
    # After the first use the voices are Google's own list for the language.
    assert fake.seen.voice_lists == 1
    assert synthesizer.voices() == {v for v in VOICES if v.startswith("en-US")}
    assert choose_voice(synthesizer, "en-US-Neural2-D").warning is None


async def test_refused_credentials_are_not_retried(
    fake: FakeGoogleSpeech, synthesizer: RetryingSynthesizer
) -> None:
    fake.cues.reject_auth = True
    with pytest.raises(ProviderAuthError, match="UNAUTHENTICATED"):
        await anext(synthesizer.stream(SynthesisRequest(LINE, synthesizer.default_voice)))
    assert len(fake.seen.syntheses) == 1


async def test_a_rate_limited_synthesis_is_retried_after_the_wait_google_asks_for(
    fake: FakeGoogleSpeech, synthesizer: RetryingSynthesizer
) -> None:
    request = SynthesisRequest(LINE, "en-US-Neural2-F")
    assert [c async for c in synthesizer.stream(request)]
    fake.cues.rate_limit_next, fake.cues.retry_after_s = 1, 0.3
    started = time.monotonic()
    assert [c async for c in synthesizer.stream(request)]
    assert 0.3 <= time.monotonic() - started < 4.5
    assert len(fake.seen.syntheses) == 3


def test_the_registry_wraps_the_provider_in_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_GOOGLE_TTS_ENDPOINT", "127.0.0.1:1")
    monkeypatch.setenv("PARLEY_GOOGLE_VOICE", "en-US-Standard-C")
    synthesizer = SYNTHESIZERS["google-cloud"]()
    assert isinstance(synthesizer, RetryingSynthesizer)
    assert isinstance(synthesizer.inner, GoogleSynthesizer)
    assert synthesizer.default_voice == "en-US-Standard-C"
