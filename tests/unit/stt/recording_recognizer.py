"""A recogniser that records the audio it is given, and a worker built around it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from parley_bus import BusPublisher
from parley_contracts import InboundAudioHeaders
from parley_speech import EndpointingConfig, RecognizerEvent, SpeechRecognizer
from parley_speech.provider_choice import ProviderChoice
from parley_stt.frame_age import FrameAgeLimits
from parley_stt.session_gate import SessionGate
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


def worker_with(
    recognizer: RecordingRecognizer, gate: SessionGate | None = None
) -> SpeechToTextWorker:
    def no_failover(primary: SpeechRecognizer, _: SpeechRecognizer) -> SpeechRecognizer:
        return primary

    choice: ProviderChoice[SpeechRecognizer] = ProviderChoice(
        "stt", "local", {"local": lambda: recognizer}, no_failover
    )
    # No transcripts are produced, so nothing is ever published.
    publisher = BusPublisher(None)  # type: ignore[arg-type]
    return SpeechToTextWorker(choice, publisher, frame_age=LIMITS, gate=gate)


async def feed(
    worker: SpeechToTextWorker, seq: int, age_ms: int = 20, session_id: str = SESSION
) -> None:
    headers = InboundAudioHeaders(
        session_id=session_id,
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
