"""Publishing events and audio frames with the keys and headers the contracts require."""

from __future__ import annotations

import asyncio
from typing import Any

from faststream.kafka import KafkaBroker
from parley_contracts import (
    Event,
    InboundAudioHeaders,
    OutboundAudioHeaders,
    TopicSpec,
    encode_event,
)
from parley_contracts.topics import AUDIO_IN, AUDIO_OUT
from parley_telemetry import inject_trace_context
from prometheus_client import Counter

EVENT_CONTENT_TYPE = "application/vnd.parley.event+json"
AUDIO_CONTENT_TYPE = "audio/x-mulaw"

UNDELIVERED_FRAMES = Counter(
    "parley_bus_undelivered_frames_total",
    "Audio frames the broker never acknowledged (the producer gave up on them)",
    ["topic"],
)


class _DeliveryWatch:
    """Audio is not awaited for acknowledgement; a frame the producer gives up on is
    counted here (and its error retrieved, so it is not reported as never retrieved).
    One per topic, built once: nothing is allocated per frame."""

    def __init__(self, topic: str) -> None:
        self._undelivered = UNDELIVERED_FRAMES.labels(topic=topic)

    def watch(self, sent: Any) -> None:
        if isinstance(sent, asyncio.Future):
            sent.add_done_callback(self._done)

    def _done(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and future.exception() is not None:
            self._undelivered.inc()


_CALLER_AUDIO_DELIVERY = _DeliveryWatch(AUDIO_IN.name)
_AGENT_AUDIO_DELIVERY = _DeliveryWatch(AUDIO_OUT.name)


class BusPublisher:
    """Writes to Kafka following the topic catalogue: every message keyed by session id."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def event(self, topic: TopicSpec, event: Event, partition: int | None = None) -> None:
        headers = {
            "content-type": EVENT_CONTENT_TYPE,
            "event-type": str(getattr(event, "type", "")),
        }
        inject_trace_context(headers)
        await self._broker.publish(
            encode_event(event),
            topic=topic.name,
            key=event.session_id.encode(),
            partition=partition,
            headers=headers,
        )

    async def partition_count(self, topic: TopicSpec) -> int:
        """How many partitions the broker has for ``topic``: a deployment chooses its own
        counts (the chart's ``kafka.partitions``), so the catalogue's is only the default.

        Read from the producer's own metadata, which is what a send naming a partition is
        checked against; FastStream does not expose its aiokafka producer, hence the
        private attributes (tests/integration/bus covers them)."""
        producer = self._broker.config.producer._producer.producer  # type: ignore[attr-defined]
        return len(await producer.partitions_for(topic.name))

    async def caller_audio(self, frame: bytes, meta: InboundAudioHeaders) -> None:
        # Not awaiting the broker's acknowledgement keeps the WebSocket reader moving;
        # delivery errors surface in the producer's own logs and metrics.
        headers = meta.to_headers()
        headers["content-type"] = AUDIO_CONTENT_TYPE
        sent = await self._broker.publish(
            frame,
            topic=AUDIO_IN.name,
            key=meta.session_id.encode(),
            headers=headers,
            # Names the frame for anyone reading the topic, and spares a random UUID
            # per frame (50 a second per call).
            correlation_id=f"{meta.session_id}:{meta.seq}",
            no_confirm=True,
        )
        _CALLER_AUDIO_DELIVERY.watch(sent)

    async def agent_audio(self, frame: bytes, meta: OutboundAudioHeaders, edge_slot: int) -> None:
        headers = meta.to_headers()
        headers["content-type"] = AUDIO_CONTENT_TYPE
        if meta.seq == 0:
            inject_trace_context(headers)  # a sentence's first frame carries the turn's trace
        sent = await self._broker.publish(
            frame,
            topic=AUDIO_OUT.name,
            key=meta.session_id.encode(),
            partition=edge_slot,
            headers=headers,
            no_confirm=True,
        )
        _AGENT_AUDIO_DELIVERY.watch(sent)
