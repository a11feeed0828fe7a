"""The Deepgram provider, through the real SDK, against the local Deepgram fake."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from parley_devstack.fakes.deepgram import FakeDeepgram
from parley_speech import RecognitionStream, RecognizerEvent, RetryingSynthesizer
from parley_speech.deepgram import DeepgramRecognizer, DeepgramSettings, DeepgramSynthesizer

if TYPE_CHECKING:
    from tests.integration.speech.providers_under_test import ProviderUnderTest


def settings_for(fake: FakeDeepgram, **overrides: object) -> DeepgramSettings:
    values: dict[str, object] = {"api_key": fake.controls.api_key, "base_url": fake.url}
    return DeepgramSettings.model_validate(values | overrides)


def environment_for(fake: FakeDeepgram, **variables: str) -> dict[str, str]:
    """``DEEPGRAM_*`` variables pointing the provider at the fake."""
    names = {"DEEPGRAM_API_KEY": fake.controls.api_key, "DEEPGRAM_BASE_URL": fake.url}
    return names | {f"DEEPGRAM_{name.upper()}": value for name, value in variables.items()}


@asynccontextmanager
async def deepgram_provider() -> AsyncIterator[ProviderUnderTest]:
    """The contract suite's view: the fake hears the audio, the script says the words."""
    from tests.integration.speech.providers_under_test import ProviderUnderTest

    async with FakeDeepgram() as fake:
        recognizer = DeepgramRecognizer(settings_for(fake))
        synthesizer = RetryingSynthesizer(DeepgramSynthesizer(settings_for(fake)))

        def script(lines: list[str]) -> None:
            fake.controls.script.clear()
            fake.controls.say(*lines)

        try:
            yield ProviderUnderTest("deepgram", recognizer, synthesizer, script)
        finally:
            await recognizer.aclose()
            await synthesizer.aclose()


class Collector:
    """Every event of a stream, with when it arrived."""

    def __init__(self, stream: RecognitionStream) -> None:
        self.stream = stream
        self.events: list[RecognizerEvent] = []
        self.arrived: list[float] = []
        self.task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for event in self.stream.events():
            self.events.append(event)
            self.arrived.append(time.monotonic())

    async def send(self, frames: list[bytes], frame_s: float = 0.02) -> None:
        """Send the frames paced at ``frame_s`` each (0.02 is real time)."""
        started = time.monotonic()
        for index, frame in enumerate(frames):
            await self.stream.send(frame)
            await asyncio.sleep(max(0.0, started + (index + 1) * frame_s - time.monotonic()))

    async def finish(self, timeout_s: float = 10) -> list[RecognizerEvent]:
        try:
            await self.stream.finish()
            await asyncio.wait_for(self.task, timeout=timeout_s)
        finally:
            self.task.cancel()
            await self.stream.close()
        return self.events
