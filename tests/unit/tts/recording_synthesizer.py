"""A synthesiser that records what it is asked to say, and a worker built around it."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, cast

from parley_audio import MULAW_8K
from parley_bus import BusPublisher
from parley_contracts import OutboundAudioHeaders, ReplySentence
from parley_speech import ProviderConnectionLost, SpeechSynthesizer, SynthesisRequest, TextLimits
from parley_speech.provider_choice import ProviderChoice
from parley_tts.worker import TextToSpeechWorker

SESSION = "0b6f4a8e-3c57-4a8f-9d0e-6a1f2b3c4d5e"
FRAME = b"\x7f" * 160


class RecordingSynthesizer:
    """Two frames of audio per request; the request numbered ``fail_at`` loses its
    connection after its first frame."""

    name = "local"
    default_voice = "recorded"
    output_format = MULAW_8K

    def __init__(self, fail_at: int | None = None) -> None:
        self.requests: list[SynthesisRequest] = []
        self.open_streams = 0
        self.most_open_streams = 0
        self._fail_at = fail_at

    def voices(self) -> frozenset[str]:
        return frozenset({self.default_voice})

    async def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        self.requests.append(request)
        self.open_streams += 1
        self.most_open_streams = max(self.most_open_streams, self.open_streams)
        try:
            yield FRAME
            if len(self.requests) == self._fail_at:
                raise ProviderConnectionLost(self.name, "connection reset")
            yield FRAME
        finally:
            self.open_streams -= 1

    @property
    def texts(self) -> list[str]:
        return [request.text for request in self.requests]

    async def aclose(self) -> None:
        return None


class RecordingPublisher(BusPublisher):
    """Records the agent frames the worker publishes, with their headers."""

    def __init__(self) -> None:
        super().__init__(cast(Any, None))
        self.frames: list[OutboundAudioHeaders] = []

    async def agent_audio(self, frame: bytes, meta: OutboundAudioHeaders, edge_slot: int) -> None:
        meta.to_headers()
        self.frames.append(meta)


def worker_with(
    synthesizer: RecordingSynthesizer, publisher: BusPublisher, limits: TextLimits
) -> TextToSpeechWorker:
    def no_failover(primary: SpeechSynthesizer, _: SpeechSynthesizer) -> SpeechSynthesizer:
        return primary

    choice: ProviderChoice[SpeechSynthesizer] = ProviderChoice(
        "tts", "local", {"local": lambda: synthesizer}, no_failover
    )
    return TextToSpeechWorker(choice, publisher, limits=limits)


def sentence(text: str, *, index: int = 0, is_last: bool = True) -> ReplySentence:
    return ReplySentence(
        session_id=SESSION,
        edge_slot=0,
        turn_id=1,
        index=index,
        text=text,
        is_last=is_last,
        hangup_after=is_last,
    )
