"""One Transcribe stream as a ``RecognitionConnection``.

Transcribe takes no mu-law, so each 20 ms frame is decoded to 16-bit PCM at 8 kHz and
sent in chunks of ``CHUNK_MS`` (AWS recommends 50 to 200 ms per audio event; each event
is signed). ``finish`` sends what is left and the SDK's end-of-stream event, after which
Transcribe sends the last final result and ends the response; ``close`` closes the
stream's HTTP/2 connection, which ends ``events`` at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from parley_audio import SAMPLE_RATE, mulaw_decode

from parley_speech.aws.errors import PROVIDER, SDK_ERRORS, provider_error
from parley_speech.aws.sdk import (
    StartStreamTranscriptionEventStream,
    TranscribeClients,
    TranscribeStreamingClient,
    TranscriptEvent,
    close_connections,
)
from parley_speech.aws.transcripts import ResultMapper
from parley_speech.errors import ProviderConnectionLost
from parley_speech.stt import RecognizerEvent

CHUNK_MS = 100
"""Audio per event: short enough to add little delay, long enough to keep the per-event
signing and framing cheap."""
CHUNK_BYTES = SAMPLE_RATE * 2 * CHUNK_MS // 1000
OPEN_TIMEOUT_S = 10.0
"""How long to wait for Transcribe to accept or refuse a stream."""
STABILITY = "high"
"""Partial-results stabilisation: interim words change less often (and are marked
stable), for slightly less accurate partials; the final result is not affected."""


class AwsTranscribeConnection:
    def __init__(
        self, client: TranscribeStreamingClient, stream: StartStreamTranscriptionEventStream
    ) -> None:
        self._client = client
        self._stream = stream
        self._pending = bytearray()
        self._ended = False
        self._gone = False

    @classmethod
    async def open(cls, clients: TranscribeClients, language: str) -> AwsTranscribeConnection:
        """Raises the mapped provider error if Transcribe refuses the stream."""
        client = clients.new()
        try:
            stream = await asyncio.wait_for(
                client.start_stream_transcription(
                    language_code=language,
                    media_sample_rate_hz=SAMPLE_RATE,
                    media_encoding="pcm",
                    enable_partial_results_stabilization=True,
                    partial_results_stability=STABILITY,
                ),
                OPEN_TIMEOUT_S,
            )
        except SDK_ERRORS as exc:
            close_connections(client)
            raise provider_error(exc, "stream start") from exc
        return cls(client, stream)

    async def send(self, mulaw_frame: bytes) -> None:
        if self._ended or self._gone:
            raise ProviderConnectionLost(PROVIDER, "the transcription stream has ended")
        self._pending += mulaw_decode(mulaw_frame).astype("<i2").tobytes()
        if len(self._pending) >= CHUNK_BYTES:
            await self._send_pending()

    async def _send_pending(self) -> None:
        chunk, self._pending = bytes(self._pending), bytearray()
        if not chunk:
            return
        try:
            await self._stream.input_stream.send_audio_event(audio_chunk=chunk)
        except SDK_ERRORS as exc:
            raise provider_error(exc, "audio send") from exc

    async def finish(self) -> None:
        if self._ended:
            return
        await self._send_pending()
        self._ended = True
        try:
            await self._stream.input_stream.end_stream()  # type: ignore[no-untyped-call]
        except SDK_ERRORS as exc:
            raise provider_error(exc, "end of audio") from exc

    async def close(self) -> None:
        self._gone = True
        self._ended = True
        close_connections(self._client)

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        mapper = ResultMapper()
        try:
            # The SDK ends this iteration, with no error, when the connection drops.
            async for event in self._stream.output_stream:
                if isinstance(event, TranscriptEvent):
                    for recognised in mapper.events(event.transcript.results):
                        yield recognised
        except SDK_ERRORS as exc:
            if not self._gone:
                raise provider_error(exc, "transcription") from exc
        finally:
            self._gone = True
            close_connections(self._client)
