"""A recognition stream over a provider connection that may drop.

Cloud providers stream over one network connection per call (a WebSocket, a gRPC
stream). When it drops, ``ResilientRecognitionStream`` reconnects with exponential
back-off and replays the audio that has no final transcript yet, so no words are lost;
a rate-limit answer backs off with jitter; an authentication failure is final. It also
rotates the connection before a provider's per-stream time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Protocol

from parley_speech.backoff import ReconnectPolicy
from parley_speech.errors import (
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    ProviderUnavailable,
    SpeechProviderError,
)
from parley_speech.stt import FinalTranscript, InterimTranscript, RecognizerEvent, SpeechStarted
from parley_speech.unconfirmed_audio import UnconfirmedAudio

log = logging.getLogger(__name__)


class RecognitionConnection(Protocol):
    """One network stream to a provider. Times in its events count from the first
    audio sent on this connection."""

    async def send(self, mulaw_frame: bytes) -> None:
        """Raises ``ProviderConnectionLost`` if the connection is gone."""
        ...

    async def finish(self) -> None:
        """Ask the provider to finalise what it heard and close; ``events`` then ends."""
        ...

    async def close(self) -> None:
        """Drop the connection now; ``events`` ends promptly."""
        ...

    def events(self) -> AsyncIterator[RecognizerEvent]:
        """Ends when the provider closes the stream; raises ``ProviderConnectionLost``,
        ``ProviderRateLimited`` or ``ProviderAuthError`` when it fails."""
        ...


ConnectionFactory = Callable[[], Awaitable[RecognitionConnection]]
_END = object()


def shifted(event: RecognizerEvent, by_ms: int) -> RecognizerEvent:
    if by_ms == 0:
        return event
    if isinstance(event, SpeechStarted):
        return SpeechStarted(offset_ms=event.offset_ms + by_ms)
    return replace(event, start_ms=event.start_ms + by_ms, end_ms=event.end_ms + by_ms)


class ResilientRecognitionStream:
    def __init__(self, provider: str, connect: ConnectionFactory, policy: ReconnectPolicy) -> None:
        self.provider = provider
        self._connect_once = connect
        self._policy = policy
        self._audio = UnconfirmedAudio(policy.max_buffered_ms)
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._conn: RecognitionConnection | None = None
        self._base_ms = 0
        self._live = False
        self._rotating = False
        self._finishing = False
        self._finish_sent = False
        self._fruitless = 0
        self._connected_at = 0.0
        self._pump: asyncio.Task[None] | None = None
        self.reconnects = 0

    @classmethod
    async def open(
        cls, provider: str, connect: ConnectionFactory, policy: ReconnectPolicy | None = None
    ) -> ResilientRecognitionStream:
        stream = cls(provider, connect, policy or ReconnectPolicy())
        stream._conn = await stream._connect(first=True)
        stream._pump = asyncio.create_task(stream._run(), name=f"{provider}-recognition")
        return stream

    async def send(self, mulaw_frame: bytes) -> None:
        self._audio.append(mulaw_frame)
        if not self._live or self._conn is None:
            return  # buffered; replayed once reconnected
        if self._due_for_rotation():
            self._rotating = True
            await self._drop_connection()
            return
        try:
            await self._conn.send(mulaw_frame)
        except ProviderConnectionLost:
            await self._drop_connection()

    async def finish(self) -> None:
        self._finishing = True
        if self._live and self._conn is not None:
            try:
                self._finish_sent = True
                await self._conn.finish()
            except ProviderConnectionLost:
                self._finish_sent = False  # finish again on the next connection
                await self._drop_connection()

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, SpeechProviderError):
                raise item
            assert isinstance(item, SpeechStarted | InterimTranscript | FinalTranscript)
            yield item

    def _due_for_rotation(self) -> bool:
        limit = self._policy.max_connection_s
        return (
            limit is not None
            and not self._rotating
            and asyncio.get_running_loop().time() - self._connected_at >= limit
        )

    async def _drop_connection(self) -> None:
        self._live = False
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()

    async def _run(self) -> None:
        try:
            while True:
                conn = self._conn
                assert conn is not None
                delivered = False
                failure: SpeechProviderError | None = None
                try:
                    async for event in conn.events():
                        delivered = True
                        self._deliver(event)
                    if self._finish_sent and not self._rotating:
                        break  # the provider finalised what it heard and closed
                    if not self._rotating:
                        raise ProviderConnectionLost(
                            self.provider, "the provider closed the stream"
                        )
                except (ProviderConnectionLost, ProviderRateLimited) as exc:
                    failure = exc
                    log.warning(
                        "speech provider connection lost; reconnecting",
                        extra={
                            "event": "stt.provider_lost",
                            "provider": self.provider,
                            "error": str(exc),
                        },
                    )
                await self._drop_connection()
                rotating, self._rotating = self._rotating, False
                # A connection refused after it was opened (gRPC refuses that way) counts
                # as a failed attempt, so a provider that keeps refusing is given up on.
                lived_s = asyncio.get_running_loop().time() - self._connected_at
                healthy = delivered or rotating or lived_s >= self._policy.healthy_after_s
                self._fruitless = 0 if healthy else self._fruitless + 1
                self._conn = await self._connect(
                    first=rotating, start=self._fruitless, last=failure
                )
                self.reconnects += 1
                if self._finishing:
                    self._finish_sent = True
                    await self._conn.finish()
            self._queue.put_nowait(_END)
        except SpeechProviderError as exc:
            self._live = False
            self._queue.put_nowait(exc)

    def _deliver(self, event: RecognizerEvent) -> None:
        event = shifted(event, self._base_ms)
        if isinstance(event, FinalTranscript):
            self._audio.confirm(event.end_ms)
        self._queue.put_nowait(event)

    async def _connect(
        self, first: bool, start: int = 0, last: SpeechProviderError | None = None
    ) -> RecognitionConnection:
        """Connect and replay unconfirmed audio; ``ProviderUnavailable`` after the last
        try. ``start`` is how many tries were already used up; ``last`` the latest error."""
        delays = self._policy.delays_s
        for attempt in range(start, len(delays)):
            if isinstance(last, ProviderRateLimited):
                await asyncio.sleep(self._policy.rate_limit_delay(last.retry_after_s, attempt))
            elif attempt > start or not first:
                await asyncio.sleep(delays[attempt])
            conn: RecognitionConnection | None = None
            try:
                conn = await self._connect_once()
                await self._replay(conn)
            except ProviderAuthError:
                raise
            except (ProviderConnectionLost, ProviderRateLimited) as exc:
                last = exc
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()
                log.info(
                    "speech provider connection attempt failed",
                    extra={
                        "event": "stt.provider_retry",
                        "provider": self.provider,
                        "attempt": attempt + 1,
                        "error": str(exc),
                    },
                )
                continue
            self._live = True
            self._finish_sent = False
            self._connected_at = asyncio.get_running_loop().time()
            return conn
        raise ProviderUnavailable(
            self.provider, f"no connection after {len(delays)} attempts (last error: {last})"
        )

    async def _replay(self, conn: RecognitionConnection) -> None:
        """Send the new connection every frame that has no final transcript yet, including
        frames that arrive while replaying; the stream is live once it has caught up."""
        self._base_ms = self._audio.start_ms  # the new connection's times start here
        await self._audio.replay(conn.send)
