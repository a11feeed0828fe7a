"""One live-transcription WebSocket to Deepgram, through the SDK's async client.

The call's mu-law 8 kHz frames are sent unchanged. Deepgram closes a socket that has had
no audio for about ten seconds, and the stt worker only sends when the caller's frames
arrive, so a ``KeepAlive`` goes out whenever no audio was sent for ``keepalive_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable

import websockets
from deepgram import AsyncDeepgramClient
from deepgram.core.api_error import ApiError
from deepgram.listen.v1.socket_client import AsyncV1SocketClient
from deepgram.listen.v1.types.listen_v1error import ListenV1Error

from parley_speech.deepgram.errors import (
    PROVIDER,
    TRANSPORT_ERRORS,
    from_api_error,
    from_transport_error,
)
from parley_speech.deepgram.settings import DeepgramSettings
from parley_speech.deepgram.transcripts import TranscriptAssembler
from parley_speech.stt import EndpointingConfig, RecognizerEvent

log = logging.getLogger(__name__)


class DeepgramConnection:
    def __init__(
        self, socket: AsyncV1SocketClient, exits: contextlib.AsyncExitStack, keepalive_s: float
    ) -> None:
        self._socket = socket
        self._exits = exits
        self._keepalive_s = keepalive_s
        self._last_sent = asyncio.get_running_loop().time()
        self._closed = False
        self._keepalive = asyncio.create_task(self._keep_alive(), name="deepgram-keepalive")

    @classmethod
    async def open(
        cls,
        client: AsyncDeepgramClient,
        settings: DeepgramSettings,
        endpointing: EndpointingConfig,
    ) -> DeepgramConnection:
        exits = contextlib.AsyncExitStack()
        try:
            socket = await exits.enter_async_context(
                client.listen.v1.connect(
                    model=settings.model,
                    encoding="mulaw",
                    sample_rate=8000,
                    channels=1,
                    interim_results=True,
                    endpointing=endpointing.silence_ms,
                    utterance_end_ms=max(1000, settings.utterance_end_ms, endpointing.silence_ms),
                    vad_events=True,
                    smart_format=settings.smart_format,
                    punctuate=True,
                )
            )
        except ApiError as exc:
            raise from_api_error(exc, "live transcription", handshake=True) from exc
        except TRANSPORT_ERRORS as exc:
            raise from_transport_error(exc, "live transcription connect") from exc
        return cls(socket, exits, settings.keepalive_s)

    async def send(self, mulaw_frame: bytes) -> None:
        if not mulaw_frame:
            return  # an empty binary frame makes Deepgram close the stream
        await self._guarded(self._socket.send_media(mulaw_frame), "audio send")
        self._last_sent = asyncio.get_running_loop().time()

    async def finish(self) -> None:
        """Flush the utterance in progress, then let Deepgram close after its last results."""
        self._keepalive.cancel()
        await self._guarded(self._socket.send_finalize(), "finalize")
        await self._guarded(self._socket.send_close_stream(), "close stream")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._keepalive.cancel()
        with contextlib.suppress(Exception):
            await self._exits.aclose()

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        assembler = TranscriptAssembler()
        while True:
            try:
                message = await self._socket.recv()
            except TRANSPORT_ERRORS as exc:
                if self._closed or isinstance(exc, websockets.ConnectionClosedOK):
                    return
                raise from_transport_error(exc, "live transcription") from exc
            if isinstance(message, ListenV1Error):
                log.warning(
                    "deepgram reported an error",
                    extra={
                        "event": "stt.provider_error",
                        "provider": PROVIDER,
                        "error": message.description,
                    },
                )
            for event in assembler.on_message(message):
                yield event

    async def _guarded(self, sending: Awaitable[None], what: str) -> None:
        try:
            await sending
        except TRANSPORT_ERRORS as exc:
            raise from_transport_error(exc, what) from exc

    async def _keep_alive(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            idle = loop.time() - self._last_sent
            if idle >= self._keepalive_s:
                try:
                    await self._socket.send_keep_alive()
                except TRANSPORT_ERRORS:
                    return  # the reader sees the drop and reports it
                self._last_sent = loop.time()
                idle = 0.0
            await asyncio.sleep(self._keepalive_s - idle)
