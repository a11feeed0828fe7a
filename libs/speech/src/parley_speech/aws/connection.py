"""One Transcribe stream as a ``RecognitionConnection``.

Transcribe takes no mu-law, so each 20 ms frame is decoded to 16-bit PCM at 8 kHz and
sent in chunks of ``CHUNK_MS`` (AWS recommends 50 to 200 ms per audio event; each event
is signed). ``finish`` sends what is left and the SDK's end-of-stream event, after which
Transcribe sends the last final result and ends the response; ``close`` ends ``events``
at once and closes the stream's HTTP/2 connection.
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
"""How long to wait for Transcribe to accept or refuse a stream. The CRT's TLS stack
takes 10 to 30 s to report a certificate it does not trust (a deliberate delay against
timing attacks), so that shows as this timeout."""
STABILITY = "high"
"""Partial-results stabilisation: interim words change less often (and are marked
stable), for slightly less accurate partials; the final result is not affected."""


def _abandon(
    starting: asyncio.Future[StartStreamTranscriptionEventStream],
    client: TranscribeStreamingClient,
) -> None:
    """Let a start that is taking too long finish in the background, then close it.
    Cancelling it instead leaves the CRT completing a future nobody holds, which it
    reports as an error on its own thread."""

    def close(_: object) -> None:
        if not starting.cancelled():
            starting.exception()  # retrieved: the caller was already told
        close_connections(client)

    starting.add_done_callback(close)


class AwsTranscribeConnection:
    def __init__(
        self, client: TranscribeStreamingClient, stream: StartStreamTranscriptionEventStream
    ) -> None:
        self._client = client
        self._stream = stream
        self._pending = bytearray()
        self._ended = False
        self._gone = False
        self._closed = False
        self._received: asyncio.Queue[TranscriptEvent | Exception | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read(), name="aws-transcribe-results")

    @classmethod
    async def open(
        cls, clients: TranscribeClients, language: str, timeout_s: float = OPEN_TIMEOUT_S
    ) -> AwsTranscribeConnection:
        """Raises the mapped provider error if Transcribe refuses the stream."""
        client = clients.new()
        starting = asyncio.ensure_future(
            client.start_stream_transcription(
                language_code=language,
                media_sample_rate_hz=SAMPLE_RATE,
                media_encoding="pcm",
                enable_partial_results_stabilization=True,
                partial_results_stability=STABILITY,
            )
        )
        try:
            done, _ = await asyncio.wait({starting}, timeout=timeout_s)
        except asyncio.CancelledError:
            _abandon(starting, client)
            raise
        if not done:
            _abandon(starting, client)
            raise ProviderConnectionLost(
                PROVIDER,
                f"stream start timed out after {timeout_s:g} s (an endpoint certificate the "
                "client does not trust looks the same: check AWS_CA_BUNDLE)",
            )
        try:
            stream = starting.result()
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
        self._closed = self._gone = self._ended = True
        close_connections(self._client)  # the reader sees the end of the stream
        self._received.put_nowait(None)

    async def _read(self) -> None:
        """Move the SDK's events to a queue. Reading the SDK directly from ``events``
        would let a cancelled consumer cancel the CRT's pending futures, which the CRT
        then fails to complete (and logs as an error on its own thread)."""
        try:
            # The SDK ends this iteration, with no error, when the connection drops.
            async for event in self._stream.output_stream:
                if isinstance(event, TranscriptEvent):
                    self._received.put_nowait(event)
            self._received.put_nowait(None)
        except Exception as exc:  # handed to the consumer, mapped there
            self._received.put_nowait(exc)
        finally:
            self._gone = True
            close_connections(self._client)

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        mapper = ResultMapper()
        while (received := await self._received.get()) is not None:
            if isinstance(received, Exception):
                if self._closed:
                    return
                raise provider_error(received, "transcription") from received
            for recognised in mapper.events(received.transcript.results):
                yield recognised
