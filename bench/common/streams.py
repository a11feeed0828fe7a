"""Twilio Media Streams driven at real-time pace against one edge process."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from parley_audio.framing import FRAME_MS, silence_frame
from websockets.exceptions import ConnectionClosed

from tests.integration.edge.harness import Edge, TwilioStream

FRAME_S = FRAME_MS / 1000


@dataclass
class Spoken:
    """What one stream sent, and how far behind its 20 ms schedule each send was."""

    sent: int = 0
    late_ms: list[float] = field(default_factory=list)


async def speak(
    stream: TwilioStream,
    seconds: float,
    payload: Callable[[], bytes] = silence_frame,
    offset_s: float = 0.0,
) -> Spoken:
    """One frame every 20 ms for `seconds`, starting `offset_s` from now (real calls are
    not phase-aligned, so many streams spread their frames over the 20 ms)."""
    spoken = Spoken()
    next_at = time.monotonic() + offset_s
    end = next_at + seconds
    await asyncio.sleep(offset_s)
    while next_at < end:
        spoken.late_ms.append(max(0.0, time.monotonic() - next_at) * 1000)
        await stream.media(payload())
        spoken.sent += 1
        next_at += FRAME_S
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    return spoken


async def open_streams(edge: Edge, count: int, batch: int = 25) -> list[TwilioStream]:
    """`count` calls in progress on `edge` (webhook, socket, start), `batch` at a time."""
    streams: list[TwilioStream] = []
    while len(streams) < count:
        opening = [TwilioStream(edge) for _ in range(min(batch, count - len(streams)))]
        await asyncio.gather(*(s.call() for s in opening))
        streams += opening
    return streams


async def close_streams(streams: list[TwilioStream]) -> None:
    """Stop each stream as Twilio does at hang-up, then close its socket."""

    async def close(stream: TwilioStream) -> None:
        with contextlib.suppress(ConnectionClosed):
            await stream.stop()
        if stream.ws is not None:
            await stream.ws.close()

    await asyncio.gather(*(close(s) for s in streams))
