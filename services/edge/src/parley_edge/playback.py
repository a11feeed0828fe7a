"""Paced playback towards the carrier: 20 ms frames, never more than a little ahead.

The carrier buffers whatever we send. Keeping at most ``ahead_ms`` queued there means a
``clear`` (barge-in) silences the caller's line almost at once, and frames for an
abandoned turn are dropped here rather than played.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from parley_audio.framing import FRAME_MS

Send = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class QueuedFrame:
    turn_id: int
    frame: bytes


@dataclass(frozen=True, slots=True)
class QueuedMark:
    turn_id: int
    name: str


class PlaybackPacer:
    def __init__(
        self,
        encode_frame: Callable[[bytes], str],
        encode_mark: Callable[[str], str],
        send: Send,
        ahead_ms: int = 100,
        on_first_frame: Callable[[int], None] | None = None,
    ) -> None:
        self._encode_frame = encode_frame
        self._encode_mark = encode_mark
        self._send = send
        self._ahead_s = ahead_ms / 1000
        self._queue: asyncio.Queue[QueuedFrame | QueuedMark] = asyncio.Queue()
        self._playout_end = 0.0
        self._min_turn = 0
        self._started_turns: set[int] = set()
        self._on_first_frame = on_first_frame
        self.frames_sent = 0
        self.frames_dropped = 0

    def enqueue_frame(self, turn_id: int, frame: bytes) -> bool:
        if turn_id < self._min_turn:
            self.frames_dropped += 1
            return False
        self._queue.put_nowait(QueuedFrame(turn_id, frame))
        return True

    def enqueue_mark(self, turn_id: int, name: str) -> None:
        if turn_id >= self._min_turn:
            self._queue.put_nowait(QueuedMark(turn_id, name))

    def supersede(self, turn_id: int) -> int:
        """Drop everything queued for turns older than ``turn_id``; returns frames dropped."""
        self._min_turn = max(self._min_turn, turn_id)
        kept: list[QueuedFrame | QueuedMark] = []
        dropped = 0
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item.turn_id >= self._min_turn:
                kept.append(item)
            elif isinstance(item, QueuedFrame):
                dropped += 1
        for item in kept:
            self._queue.put_nowait(item)
        self._playout_end = time.monotonic()
        self.frames_dropped += dropped
        return dropped

    async def run(self) -> None:
        frame_s = FRAME_MS / 1000
        while True:
            item = await self._queue.get()
            if item.turn_id < self._min_turn:
                continue
            if isinstance(item, QueuedMark):
                await self._send(self._encode_mark(item.name))
                continue
            now = time.monotonic()
            wait = self._playout_end - now - self._ahead_s
            if wait > 0:
                await asyncio.sleep(wait)
                if item.turn_id < self._min_turn:
                    continue
                now = time.monotonic()
            await self._send(self._encode_frame(item.frame))
            self.frames_sent += 1
            self._playout_end = max(self._playout_end, now) + frame_s
            if item.turn_id not in self._started_turns:
                self._started_turns.add(item.turn_id)
                if self._on_first_frame:
                    self._on_first_frame(item.turn_id)
