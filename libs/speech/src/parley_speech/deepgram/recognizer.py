"""Deepgram live transcription behind the ``SpeechRecognizer`` interface: one resilient
stream per call, reconnecting (and replaying unconfirmed audio) when a socket drops."""

from __future__ import annotations

import httpx

from parley_speech.backoff import ReconnectPolicy
from parley_speech.deepgram.connection import DeepgramConnection
from parley_speech.deepgram.errors import PROVIDER
from parley_speech.deepgram.settings import DeepgramSettings, deepgram_client
from parley_speech.resilient_stream import RecognitionConnection, ResilientRecognitionStream
from parley_speech.stt import EndpointingConfig


class DeepgramRecognizer:
    name = PROVIDER

    def __init__(
        self, settings: DeepgramSettings | None = None, policy: ReconnectPolicy | None = None
    ) -> None:
        self.settings = settings or DeepgramSettings()
        self.settings.require_api_key()
        self._http = httpx.AsyncClient()
        self._client = deepgram_client(self.settings, self._http)
        self._policy = policy or ReconnectPolicy()

    async def open(self, endpointing: EndpointingConfig) -> ResilientRecognitionStream:
        async def connect() -> RecognitionConnection:
            return await DeepgramConnection.open(self._client, self.settings, endpointing)

        return await ResilientRecognitionStream.open(self.name, connect, self._policy)

    async def aclose(self) -> None:
        await self._http.aclose()
