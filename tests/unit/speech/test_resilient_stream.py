"""Reconnection with replay, rotation and failover around provider connections."""

from __future__ import annotations

import asyncio

import pytest
from parley_resilience import CircuitBreaker
from parley_speech import (
    EndpointingConfig,
    FailoverRecognizer,
    FinalTranscript,
    ProviderAuthError,
    ProviderUnavailable,
    RecognizerEvent,
    ReconnectPolicy,
    ResilientRecognitionStream,
)

from tests.unit.speech.scripted_connection import ScriptedProvider

FAST = ReconnectPolicy(delays_s=(0.01, 0.01, 0.01, 0.01, 0.01), healthy_after_s=0)


def frames(count: int, start: int = 0) -> list[bytes]:
    """Distinguishable 20 ms frames: frame i is filled with byte i % 256."""
    return [bytes([(start + i) % 256]) * 160 for i in range(count)]


async def run(stream: ResilientRecognitionStream, audio: list[bytes]) -> list[RecognizerEvent]:
    events: list[RecognizerEvent] = []

    async def collect() -> None:
        async for event in stream.events():
            events.append(event)

    collector = asyncio.create_task(collect())
    for frame in audio:
        await stream.send(frame)
        await asyncio.sleep(0)
    await stream.finish()
    await asyncio.wait_for(collector, timeout=5)
    await stream.close()
    return events


async def test_a_drop_mid_utterance_replays_every_unconfirmed_frame() -> None:
    provider = ScriptedProvider(plan=[30, None])
    stream = await ResilientRecognitionStream.open("scripted", provider.connect, FAST)
    audio = frames(50)
    events = await run(stream, audio)

    first, second = provider.connections
    assert first.sent == audio[:30]
    # Nothing had a final transcript, so the new connection hears the call from the start.
    assert second.sent == audio
    assert stream.reconnects == 1
    assert [e.text for e in events if isinstance(e, FinalTranscript)] == ["heard 50 frames"]


async def test_audio_already_transcribed_is_not_replayed_and_times_stay_in_call_time() -> None:
    provider = ScriptedProvider(plan=[None, None])
    stream = await ResilientRecognitionStream.open("scripted", provider.connect, FAST)
    audio = frames(40)
    events: list[RecognizerEvent] = []

    async def collect() -> None:
        async for event in stream.events():
            events.append(event)

    collector = asyncio.create_task(collect())
    for frame in audio[:20]:
        await stream.send(frame)
    provider.connections[0].say_final("first utterance")  # covers frames 0-19 (400 ms)
    while not events:
        await asyncio.sleep(0.001)
    await provider.connections[0].close()  # the provider goes away
    for frame in audio[20:]:
        await stream.send(frame)
    await stream.finish()
    await asyncio.wait_for(collector, timeout=5)
    await stream.close()

    assert provider.connections[1].sent == audio[20:]
    finals = [e for e in events if isinstance(e, FinalTranscript)]
    assert [f.text for f in finals] == ["first utterance", "heard 20 frames"]
    # The second connection's times are shifted by where its audio starts in the call.
    assert finals[1].start_ms == 400 and finals[1].end_ms == 800


async def test_authentication_failure_is_not_retried() -> None:
    provider = ScriptedProvider(plan=[10, "auth", None])
    stream = await ResilientRecognitionStream.open("scripted", provider.connect, FAST)
    with pytest.raises(ProviderAuthError):
        await run(stream, frames(20))
    assert provider.attempts == 2


async def test_reconnection_gives_up_after_five_tries() -> None:
    provider = ScriptedProvider(plan=[5, "down", "down", "down", "down", "down", None])
    stream = await ResilientRecognitionStream.open("scripted", provider.connect, FAST)
    with pytest.raises(ProviderUnavailable, match="5 attempts"):
        await run(stream, frames(10))
    assert provider.attempts == 6  # the first connection, then five tries


async def test_a_provider_that_accepts_then_refuses_every_stream_is_given_up_on() -> None:
    provider = ScriptedProvider(plan=["late"] * 20)
    policy = ReconnectPolicy(delays_s=FAST.delays_s, healthy_after_s=10)
    stream = await ResilientRecognitionStream.open("scripted", provider.connect, policy)
    with pytest.raises(ProviderUnavailable):
        await run(stream, frames(10))
    assert provider.attempts == 5


async def test_rotation_opens_a_fresh_connection_without_losing_audio() -> None:
    policy = ReconnectPolicy(delays_s=FAST.delays_s, healthy_after_s=0, max_connection_s=0.05)
    provider = ScriptedProvider(plan=[None] * 20)
    stream = await ResilientRecognitionStream.open("scripted", provider.connect, policy)
    audio = frames(30)
    events: list[RecognizerEvent] = []

    async def collect() -> None:
        async for event in stream.events():
            events.append(event)

    collector = asyncio.create_task(collect())
    for frame in audio:
        await stream.send(frame)
        await asyncio.sleep(0.005)
    await stream.finish()
    await asyncio.wait_for(collector, timeout=5)
    await stream.close()

    assert len(provider.connections) >= 2
    # With no final transcript yet, every connection after a rotation starts from the
    # beginning of the call's audio, and the last one heard all of it.
    assert provider.connections[-1].sent == audio
    assert [e.text for e in events if isinstance(e, FinalTranscript)] == ["heard 30 frames"]


class ScriptedRecognizer:
    def __init__(self, name: str, provider: ScriptedProvider) -> None:
        self.name = name
        self.provider = provider

    async def open(self, endpointing: EndpointingConfig) -> ResilientRecognitionStream:
        return await ResilientRecognitionStream.open(self.name, self.provider.connect, FAST)

    async def aclose(self) -> None:
        return None


async def test_a_call_moves_to_the_secondary_when_the_primary_is_lost_for_good() -> None:
    primary = ScriptedProvider(plan=[15, "down", "down", "down", "down", "down"])
    secondary = ScriptedProvider(plan=[None, None])
    failover = FailoverRecognizer(
        ScriptedRecognizer("primary", primary),
        ScriptedRecognizer("secondary", secondary),
        CircuitBreaker("primary", failure_threshold=1, reset_after_s=60),
    )
    stream = await failover.open(EndpointingConfig())
    audio = frames(40)
    events: list[RecognizerEvent] = []

    async def collect() -> None:
        async for event in stream.events():
            events.append(event)

    collector = asyncio.create_task(collect())
    for frame in audio:
        await stream.send(frame)
        await asyncio.sleep(0.002)
    await stream.finish()
    await asyncio.wait_for(collector, timeout=5)
    await stream.close()

    assert not stream.on_primary
    assert secondary.connections[0].sent == audio  # nothing the caller said is lost
    assert [e.text for e in events if isinstance(e, FinalTranscript)] == ["heard 40 frames"]
    # The circuit is open: the next call starts on the secondary without trying the primary.
    attempts = primary.attempts
    second_call = await failover.open(EndpointingConfig())
    assert not second_call.on_primary and primary.attempts == attempts
    await second_call.close()
