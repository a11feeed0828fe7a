"""Amazon Transcribe streaming behind the ``SpeechRecognizer`` interface: one resilient
stream per call, reconnecting (and replaying unconfirmed audio) when a stream fails."""

from __future__ import annotations

from parley_speech.aws.connection import OPEN_TIMEOUT_S, AwsTranscribeConnection
from parley_speech.aws.errors import PROVIDER
from parley_speech.aws.sdk import TranscribeClients
from parley_speech.aws.settings import AwsTranscribeSettings
from parley_speech.backoff import ReconnectPolicy
from parley_speech.recognition import RecognitionStream
from parley_speech.resilient_stream import RecognitionConnection, ResilientRecognitionStream
from parley_speech.stt import EndpointingConfig


class AwsTranscribeRecognizer:
    """Transcribe decides where an utterance ends (at its segments' ends);
    ``EndpointingConfig`` does not apply to it."""

    name = PROVIDER

    def __init__(
        self,
        settings: AwsTranscribeSettings | None = None,
        policy: ReconnectPolicy | None = None,
        open_timeout_s: float = OPEN_TIMEOUT_S,
    ) -> None:
        self.settings = settings or AwsTranscribeSettings()
        self._clients = TranscribeClients(self.settings)
        self._policy = policy or ReconnectPolicy()
        self._open_timeout_s = open_timeout_s

    async def open(
        self, endpointing: EndpointingConfig, language: str | None = None
    ) -> RecognitionStream:
        """``language`` is the call's, if it has one; else PARLEY_AWS_TRANSCRIBE_LANGUAGE."""
        chosen = language or self.settings.language

        async def connect() -> RecognitionConnection:
            return await AwsTranscribeConnection.open(self._clients, chosen, self._open_timeout_s)

        return await ResilientRecognitionStream.open(PROVIDER, connect, self._policy)

    async def aclose(self) -> None:
        """Nothing to release: each stream closes its own client's connection."""
