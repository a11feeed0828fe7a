"""Late caller audio: a delayed pipeline is caught up on, a taken-over backlog is not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from parley_bus import BusPublisher
from parley_contracts import InboundAudioHeaders
from parley_speech import EndpointingConfig, RecognizerEvent, SpeechRecognizer
from parley_speech.provider_choice import ProviderChoice
from parley_stt.frame_age import FrameAgeLimits, FrameVerdict
from parley_stt.worker import SpeechToTextWorker

SESSION = "0b6f4a8e-3c57-4a8f-9d0e-6a1f2b3c4d5e"
LIMITS = FrameAgeLimits(takeover_ms=2000, catch_up_ms=15_000)


class RecordingStream:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self._done = asyncio.Event()

    async def send(self, mulaw_frame: bytes) -> None:
        self.received.append(mulaw_frame)

    async def finish(self) -> None:
        self._done.set()

    async def close(self) -> None:
        self._done.set()

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        await self._done.wait()
        return
        yield  # an async generator that produces nothing


class RecordingRecognizer:
    name = "local"

    def __init__(self) -> None:
        self.streams: list[RecordingStream] = []

    async def open(self, endpointing: EndpointingConfig) -> RecordingStream:
        stream = RecordingStream()
        self.streams.append(stream)
        return stream

    async def aclose(self) -> None:
        return None


def worker_with(recognizer: RecordingRecognizer) -> SpeechToTextWorker:
    def no_failover(primary: SpeechRecognizer, _: SpeechRecognizer) -> SpeechRecognizer:
        return primary

    choice: ProviderChoice[SpeechRecognizer] = ProviderChoice(
        "stt", "local", {"local": lambda: recognizer}, no_failover
    )
    # No transcripts are produced, so nothing is ever published.
    return SpeechToTextWorker(choice, BusPublisher(None), frame_age=LIMITS)  # type: ignore[arg-type]


async def feed(worker: SpeechToTextWorker, seq: int, age_ms: int) -> None:
    headers = InboundAudioHeaders(
        session_id=SESSION,
        seq=seq,
        media_timestamp_ms=seq * 20,
        received_at_ms=int(time.time() * 1000) - age_ms,
        edge_slot=0,
    ).to_headers()
    await worker.on_audio(bytes([seq % 256]) * 160, dict(headers))


async def heard(recognizer: RecordingRecognizer) -> list[int]:
    for _ in range(100):  # the stream opens in the background
        if recognizer.streams:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.01)
    return [frame[0] for stream in recognizer.streams for frame in stream.received]


async def test_delayed_frames_of_a_call_being_recognised_are_caught_up_on() -> None:
    """After a broker restart the caller's words arrive seconds late; none is dropped."""
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    await feed(worker, 0, age_ms=20)
    for seq, age_ms in enumerate((3000, 6000, 11_900, 2500, 400), start=1):
        await feed(worker, seq, age_ms)
    assert await heard(recognizer) == [0, 1, 2, 3, 4, 5]
    await worker.shutdown()


async def test_a_backlog_taken_over_is_skipped_until_the_first_fresh_frame() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    for seq, age_ms in enumerate((9000, 5000, 2100, 1500, 2500)):
        await feed(worker, seq, age_ms)
    # From the first fresh frame on, the worker holds the call and catches up.
    assert await heard(recognizer) == [3, 4]
    await worker.shutdown()


async def test_audio_later_than_the_catch_up_limit_is_given_up_on() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    await feed(worker, 0, age_ms=20)
    await feed(worker, 1, age_ms=15_500)
    await feed(worker, 2, age_ms=14_000)
    assert await heard(recognizer) == [0, 2]
    await worker.shutdown()


@pytest.mark.parametrize(
    ("age_ms", "held", "verdict"),
    [
        (1999, False, FrameVerdict.RECOGNISE),
        (2001, False, FrameVerdict.BACKLOG),
        (2001, True, FrameVerdict.RECOGNISE),
        (15_001, True, FrameVerdict.TOO_LATE),
        (15_001, False, FrameVerdict.TOO_LATE),
    ],
)
def test_frame_verdicts(age_ms: int, held: bool, verdict: FrameVerdict) -> None:
    assert LIMITS.judge(age_ms, held) is verdict


def test_a_catch_up_limit_below_the_takeover_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="catch-up"):
        FrameAgeLimits(takeover_ms=5000, catch_up_ms=1000)
