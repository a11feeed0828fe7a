"""What one call sends to Kafka, sent beside the Media Stream reader, never in its way.

Publishing can stall: while the broker restarts, the producer's batch for a partition
fills and the next send waits for it to drain, for up to the request timeout, and then
fails. Done inline, that stalls the WebSocket reader (the carrier's keepalives go
unanswered) and the failure ends the call. Here the reader only queues: the call's
events (never dropped; retried until the broker takes them) and its audio (bounded:
when the broker is away the oldest audio is dropped, counted, since the caller has
moved on from it). One sender per call keeps the call's messages in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque

from aiokafka.errors import KafkaError
from parley_bus import BusPublisher
from parley_contracts import Event, InboundAudioHeaders, TopicSpec

from parley_edge import metrics

log = logging.getLogger(__name__)

MAX_QUEUED_FRAMES = 250
"""Five seconds of caller audio waiting for the broker; older audio is dropped."""
MAX_QUEUED_EVENTS = 1000
RETRY_EVENT_AFTER_S = 0.5
FLUSH_TIMEOUT_S = 5.0


class CallUplink:
    def __init__(self, session_id: str, publisher: BusPublisher) -> None:
        self._session_id = session_id
        self._publisher = publisher
        self._frames: deque[tuple[bytes, InboundAudioHeaders]] = deque()
        self._events: deque[tuple[TopicSpec, Event]] = deque()
        self._wakeup = asyncio.Event()
        self._closing = False
        self._failing = False
        self._dropped = 0
        self._task = asyncio.create_task(self._run(), name=f"uplink-{session_id}")

    def audio(self, frame: bytes, meta: InboundAudioHeaders) -> None:
        if len(self._frames) >= MAX_QUEUED_FRAMES:
            self._frames.popleft()
            self._drop("backlog")
        self._frames.append((frame, meta))
        self._wakeup.set()

    def event(self, topic: TopicSpec, event: Event) -> None:
        if len(self._events) >= MAX_QUEUED_EVENTS:
            self._events.popleft()
            metrics.UPLINK_EVENTS_DROPPED.inc()
            log.error(
                "call events piled up while Kafka was unavailable; dropped the oldest",
                extra={"event": "edge.uplink_events_dropped", "session": self._session_id},
            )
        self._events.append((topic, event))
        self._wakeup.set()

    async def close(self) -> None:
        """Send what is queued (for up to FLUSH_TIMEOUT_S), then stop."""
        self._closing = True
        self._wakeup.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), FLUSH_TIMEOUT_S)
        except TimeoutError:
            log.error(
                "call ended with messages Kafka did not take in time",
                extra={
                    "event": "edge.uplink_unflushed",
                    "session": self._session_id,
                    "events": len(self._events),
                    "frames": len(self._frames),
                },
            )
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            if not self._events and not self._frames:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if self._events:
                await self._send_event()
            else:
                await self._send_audio()

    async def _send_event(self) -> None:
        topic, event = self._events[0]
        try:
            await self._publisher.event(topic, event)
        except KafkaError as exc:
            self._failed(exc)
            await asyncio.sleep(RETRY_EVENT_AFTER_S)
            return
        self._events.popleft()
        self._recovered()

    async def _send_audio(self) -> None:
        frame, meta = self._frames.popleft()
        try:
            await self._publisher.caller_audio(frame, meta)
        except KafkaError as exc:
            self._drop("broker_unavailable")
            self._failed(exc)
            return
        self._recovered()

    def _drop(self, reason: str) -> None:
        self._dropped += 1
        metrics.UPLINK_FRAMES_DROPPED.labels(reason=reason).inc()

    def _failed(self, exc: KafkaError) -> None:
        if not self._failing:
            self._failing = True
            log.warning(
                "Kafka is not taking this call's messages; queueing them",
                extra={
                    "event": "edge.uplink_failing",
                    "session": self._session_id,
                    "error": type(exc).__name__,
                },
            )

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info(
                "Kafka is taking this call's messages again",
                extra={
                    "event": "edge.uplink_recovered",
                    "session": self._session_id,
                    "frames_dropped": self._dropped,
                },
            )
