"""One contract every speech provider meets, run against each of them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator

import pytest
from parley_audio import FRAME_BYTES, silence_frame
from parley_simulator.caller_audio import CallerVoice
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    SpeechStarted,
    SpeechSynthesizer,
    SynthesisRequest,
    choose_voice,
    mulaw_frames,
)

from tests.integration.speech.providers_under_test import PROVIDERS, ProviderUnderTest

pytestmark = pytest.mark.integration
LINE = "next monday at nine"
CALLER = CallerVoice()


@pytest.fixture(params=sorted(PROVIDERS))
async def provider(request: pytest.FixtureRequest) -> AsyncIterator[ProviderUnderTest]:
    async with PROVIDERS[request.param]() as under_test:
        yield under_test


@pytest.fixture
def synthesizer(provider: ProviderUnderTest) -> SpeechSynthesizer:
    if provider.synthesizer is None:
        pytest.skip(f"{provider.name} only recognises speech")
    return provider.synthesizer


async def recognise(provider: ProviderUnderTest, frames: list[bytes]) -> list[RecognizerEvent]:
    """Stream the frames in real time (as a caller would) and collect every event."""
    stream = await provider.recognizer.open(EndpointingConfig())
    events: list[RecognizerEvent] = []

    async def collect() -> None:
        async for event in stream.events():
            events.append(event)

    collector = asyncio.create_task(collect())
    try:
        started = time.monotonic()
        for index, frame in enumerate(frames):
            await stream.send(frame)
            await asyncio.sleep(max(0.0, started + (index + 1) * 0.02 - time.monotonic()))
        await stream.finish()
        await asyncio.wait_for(collector, timeout=15)
    finally:
        collector.cancel()
        await stream.close()
    return events


async def test_speech_gives_interim_results_then_one_final_at_the_end_of_the_utterance(
    provider: ProviderUnderTest,
) -> None:
    provider.script([LINE])
    speech = CALLER.say(LINE)
    frames = [silence_frame()] * 25 + speech + [silence_frame()] * 50
    events = await recognise(provider, frames)

    kinds = [type(e).__name__ for e in events]
    assert isinstance(events[0], SpeechStarted), kinds
    finals = [e for e in events if isinstance(e, FinalTranscript)]
    assert len(finals) == 1, kinds
    final = finals[0]
    assert events.index(final) == len(events) - 1, "nothing comes after the utterance's final"
    assert set(re.findall(r"[a-z]+", final.text.lower())) >= {"monday", "nine"}, final.text
    interims = [e for e in events if isinstance(e, InterimTranscript)]
    assert interims, "the caller's words are reported while they speak"
    assert all(i.end_ms <= final.end_ms for i in interims)
    # Times are positions in the call's audio: speech starts after the 500 ms of silence
    # and ends near where the speech frames end.
    speech_end_ms = (25 + len(speech)) * 20
    assert 300 <= events[0].offset_ms <= 900
    assert abs(final.end_ms - speech_end_ms) <= 500, (final.end_ms, speech_end_ms)
    assert 0.0 <= final.confidence <= 1.0


async def test_silence_gives_no_transcript(provider: ProviderUnderTest) -> None:
    provider.script([])
    events = await recognise(provider, [silence_frame()] * 100)
    assert [e for e in events if isinstance(e, FinalTranscript)] == []


async def test_synthesis_is_20ms_mulaw_frames_with_a_measured_first_byte(
    synthesizer: SpeechSynthesizer,
) -> None:
    request = SynthesisRequest("Your appointment is on Monday at nine.", synthesizer.default_voice)
    started = time.perf_counter()
    first_byte_ms: float | None = None
    frames: list[bytes] = []
    async with contextlib.aclosing(mulaw_frames(synthesizer, request)) as stream:
        async for frame in stream:
            if first_byte_ms is None:
                first_byte_ms = (time.perf_counter() - started) * 1000
            frames.append(frame)
    assert first_byte_ms is not None
    assert all(len(frame) == FRAME_BYTES for frame in frames)
    # About a second and a half of speech, not a click and not a minute.
    assert 0.8 <= len(frames) * 0.02 <= 6.0, len(frames)
    assert any(frame != silence_frame() for frame in frames)


async def test_closing_the_stream_cancels_synthesis(synthesizer: SpeechSynthesizer) -> None:
    text = " ".join(["This is a long sentence that would take many seconds to say."] * 6)
    stream = mulaw_frames(synthesizer, SynthesisRequest(text, synthesizer.default_voice))
    first = await anext(stream)
    assert len(first) == FRAME_BYTES
    started = time.perf_counter()
    await stream.aclose()
    assert time.perf_counter() - started < 1.0
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_an_unknown_voice_falls_back_to_the_default_with_a_warning(
    synthesizer: SpeechSynthesizer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        choice = choose_voice(synthesizer, "no-such-voice")
    assert choice.voice == synthesizer.default_voice
    assert choice.warning and "no-such-voice" in choice.warning
    assert any("no-such-voice" in record.getMessage() for record in caplog.records)
    assert choose_voice(synthesizer, synthesizer.default_voice).warning is None
