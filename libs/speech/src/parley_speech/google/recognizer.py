"""Google Cloud Speech-to-Text (v1 streaming) behind the recognition interface."""

from __future__ import annotations

import asyncio

from google.cloud.speech_v1 import RecognitionConfig, SpeechAsyncClient, StreamingRecognitionConfig

from parley_speech.backoff import ReconnectPolicy
from parley_speech.google.clients import speech_client
from parley_speech.google.connection import GoogleRecognitionConnection
from parley_speech.google.errors import PROVIDER
from parley_speech.google.settings import GoogleSpeechSettings
from parley_speech.recognition import RecognitionStream
from parley_speech.resilient_stream import RecognitionConnection, ResilientRecognitionStream
from parley_speech.stt import EndpointingConfig


def streaming_config(settings: GoogleSpeechSettings) -> StreamingRecognitionConfig:
    """Twilio's audio as it arrives, interim results, and speech-activity events."""
    return StreamingRecognitionConfig(
        config=RecognitionConfig(
            encoding=RecognitionConfig.AudioEncoding.MULAW,
            sample_rate_hertz=8000,
            audio_channel_count=1,
            language_code=settings.language,
            model=settings.stt_model,
            use_enhanced=settings.stt_use_enhanced,
            enable_automatic_punctuation=settings.stt_punctuation,
        ),
        interim_results=True,
        single_utterance=False,
        enable_voice_activity_events=True,
    )


class GoogleRecognizer:
    """One client (one HTTP/2 channel) shared by every call of the worker. Google
    decides where an utterance ends; ``EndpointingConfig`` does not apply to it."""

    name = PROVIDER

    def __init__(
        self, settings: GoogleSpeechSettings | None = None, policy: ReconnectPolicy | None = None
    ) -> None:
        self.settings = settings or GoogleSpeechSettings()
        self._policy = policy or ReconnectPolicy(max_connection_s=self.settings.max_stream_s)
        self._config = streaming_config(self.settings)
        self._client: SpeechAsyncClient | None = None
        self._client_lock = asyncio.Lock()

    async def open(self, endpointing: EndpointingConfig) -> RecognitionStream:
        client = await self._get_client()

        async def connect() -> RecognitionConnection:
            return await GoogleRecognitionConnection.open(client, self._config)

        return await ResilientRecognitionStream.open(PROVIDER, connect, self._policy)

    async def _get_client(self) -> SpeechAsyncClient:
        async with self._client_lock:
            if self._client is None:
                self._client = await speech_client(self.settings.speech_endpoint)
            return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.transport.close()  # type: ignore[no-untyped-call]
            self._client = None
