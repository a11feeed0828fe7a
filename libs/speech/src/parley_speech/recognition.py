"""The asynchronous streaming-recognition interface every STT provider implements.

A call opens one ``RecognitionStream``: 20 ms mu-law 8 kHz frames go in with
``send``; ``events`` yields what the provider recognised (``SpeechStarted``,
``InterimTranscript``, ``FinalTranscript`` = end of utterance) with times in ms from
the start of the call's audio. ``finish`` asks for the utterance in progress to be
finalised, after which ``events`` ends; ``close`` abandons the stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from parley_speech.stt import EndpointingConfig, RecognizerEvent


class RecognitionStream(Protocol):
    async def send(self, mulaw_frame: bytes) -> None:
        """Queue one frame; never blocks on the provider for long."""
        ...

    async def finish(self) -> None: ...

    async def close(self) -> None: ...

    def events(self) -> AsyncIterator[RecognizerEvent]:
        """Raises a ``SpeechProviderError`` if the provider is lost for good."""
        ...


class SpeechRecognizer(Protocol):
    """A provider: opens one recognition stream per call."""

    name: str

    async def open(self, endpointing: EndpointingConfig) -> RecognitionStream:
        """Raises ``ProviderAuthError`` / ``ProviderUnavailable`` if no stream can be opened."""
        ...

    async def aclose(self) -> None:
        """Release shared resources (clients, thread pools)."""
        ...
