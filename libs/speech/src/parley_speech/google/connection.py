"""One Google ``StreamingRecognize`` call as a ``RecognitionConnection``.

The first request carries the configuration, every later one the audio queued by
``send``; ``finish`` ends the request stream (a half-close), after which Google returns
the last final result and ends the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Protocol, cast

import grpc
from google.api_core import exceptions as api
from google.cloud.speech_v1 import (
    SpeechAsyncClient,
    StreamingRecognitionConfig,
    StreamingRecognizeRequest,
    StreamingRecognizeResponse,
)

from parley_speech.errors import ProviderConnectionLost
from parley_speech.google.errors import PROVIDER, provider_error
from parley_speech.google.results import ResultMapper
from parley_speech.stt import RecognizerEvent

MAX_REQUEST_BYTES = 16_000
"""Two seconds of audio; Google takes at most 25 KB per request."""
ADMISSION_S = 0.3
"""How long ``open`` waits for Google to accept or refuse the call, so a refusal (bad
credentials, quota) counts as a failed connection attempt rather than a dropped stream."""


class _StreamingCall(Protocol):
    """What the client library's streaming call object offers (it is untyped)."""

    def __aiter__(self) -> AsyncIterator[StreamingRecognizeResponse]: ...

    def done(self) -> bool: ...

    def cancel(self) -> bool: ...

    async def initial_metadata(self) -> object: ...


async def _requests(
    config: StreamingRecognitionConfig, audio: asyncio.Queue[bytes | None]
) -> AsyncIterator[StreamingRecognizeRequest]:
    yield StreamingRecognizeRequest(streaming_config=config)
    while (chunk := await audio.get()) is not None:
        # Frames that queued up while gRPC was busy go out together.
        while len(chunk) < MAX_REQUEST_BYTES and not audio.empty():
            more = audio.get_nowait()
            if more is None:
                yield StreamingRecognizeRequest(audio_content=chunk)
                return
            chunk += more
        yield StreamingRecognizeRequest(audio_content=chunk)


class GoogleRecognitionConnection:
    def __init__(self, call: _StreamingCall, audio: asyncio.Queue[bytes | None]) -> None:
        self._call = call
        self._audio = audio
        self._ended = False
        self._closed = False

    @classmethod
    async def open(
        cls, client: SpeechAsyncClient, config: StreamingRecognitionConfig
    ) -> GoogleRecognitionConnection:
        """Raises the mapped error if Google refuses the call at once."""
        audio: asyncio.Queue[bytes | None] = asyncio.Queue()
        try:
            # No client-side retry or deadline: a bidirectional stream cannot be replayed
            # by the client library; ResilientRecognitionStream reconnects instead.
            call = cast(
                _StreamingCall,
                await client.streaming_recognize(
                    requests=_requests(config, audio), retry=None, timeout=None
                ),
            )
            await _admitted(call)
        except api.GoogleAPICallError as exc:
            raise provider_error(exc) from exc
        return cls(call, audio)

    async def send(self, mulaw_frame: bytes) -> None:
        if self._ended or self._call.done():
            raise ProviderConnectionLost(PROVIDER, "the recognition stream has ended")
        self._audio.put_nowait(mulaw_frame)

    async def finish(self) -> None:
        if not self._ended:
            self._ended = True
            self._audio.put_nowait(None)

    async def close(self) -> None:
        self._closed = True
        await self.finish()
        self._call.cancel()

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        mapper = ResultMapper()
        try:
            async for response in self._call:
                if response.error.code:
                    raise _response_error(response)
                for event in mapper.events(response):
                    yield event
        except api.GoogleAPICallError as exc:
            if not self._closed:
                raise provider_error(exc) from exc
        except asyncio.CancelledError:
            # grpc.aio reports a call we cancelled ourselves as CancelledError.
            task = asyncio.current_task()
            if not self._closed or (task is not None and task.cancelling()):
                raise


async def _admitted(call: _StreamingCall) -> None:
    """Wait briefly for the server's headers; raise if the call already failed."""
    headers = asyncio.ensure_future(call.initial_metadata())
    headers.add_done_callback(_ignore_outcome)
    await asyncio.wait({headers}, timeout=ADMISSION_S)
    if call.done():
        async for _ in call:
            pass  # raises the call's error


def _ignore_outcome(future: asyncio.Future[object]) -> None:
    if not future.cancelled():
        future.exception()


def _response_error(response: StreamingRecognizeResponse) -> Exception:
    code = next((c for c in grpc.StatusCode if c.value[0] == response.error.code), None)
    status = code or grpc.StatusCode.UNKNOWN
    return provider_error(api.from_grpc_status(status, response.error.message))  # type: ignore[no-untyped-call]
