"""Publishing events and audio frames with the keys and headers the contracts require."""

from __future__ import annotations

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

EVENT_CONTENT_TYPE = "application/vnd.parley.event+json"
AUDIO_CONTENT_TYPE = "audio/x-mulaw"


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

    async def caller_audio(self, frame: bytes, meta: InboundAudioHeaders) -> None:
        # Not awaiting the broker's acknowledgement keeps the WebSocket reader moving;
        # delivery errors surface in the producer's own logs and metrics.
        headers = meta.to_headers()
        headers["content-type"] = AUDIO_CONTENT_TYPE
        await self._broker.publish(
            frame,
            topic=AUDIO_IN.name,
            key=meta.session_id.encode(),
            headers=headers,
            # Names the frame for anyone reading the topic, and spares a random UUID
            # per frame (50 a second per call).
            correlation_id=f"{meta.session_id}:{meta.seq}",
            no_confirm=True,
        )

    async def agent_audio(self, frame: bytes, meta: OutboundAudioHeaders, edge_slot: int) -> None:
        headers = meta.to_headers()
        headers["content-type"] = AUDIO_CONTENT_TYPE
        if meta.seq == 0:
            inject_trace_context(headers)  # a sentence's first frame carries the turn's trace
        await self._broker.publish(
            frame,
            topic=AUDIO_OUT.name,
            key=meta.session_id.encode(),
            partition=edge_slot,
            headers=headers,
            no_confirm=True,
        )
