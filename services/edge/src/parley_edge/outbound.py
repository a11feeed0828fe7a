"""Kafka → WebSocket: agent audio and control for the calls this edge holds.

The edge reads only its own slot's partition of each outbound topic, by manual
assignment (no consumer group), so every reply lands on the instance holding the call.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker, KafkaMessage
from parley_bus import event_decoder, slot_subscriber
from parley_contracts import (
    AUDIO_OUT,
    CONTROL,
    AudioHeaderError,
    ControlEvent,
    OutboundAudioHeaders,
    control_event_decoder,
)
from parley_telemetry import extract_trace_context

from parley_edge import metrics
from parley_edge.registry import CallRegistry

log = logging.getLogger(__name__)


def register_outbound_subscribers(
    broker: KafkaBroker, registry: CallRegistry, slot: int
) -> list[Any]:
    audio_sub = slot_subscriber(broker, AUDIO_OUT, slot)
    control_sub = slot_subscriber(broker, CONTROL, slot)

    @audio_sub
    async def on_agent_audio(body: bytes, message: KafkaMessage) -> None:
        try:
            meta = OutboundAudioHeaders.from_headers(message.headers)
        except AudioHeaderError as exc:
            log.warning(
                "skipping agent audio frame", extra={"event": "edge.bad_frame", "error": str(exc)}
            )
            return
        call = registry.get(meta.session_id)
        if call is None:
            metrics.UNROUTABLE_MESSAGES.labels(topic=AUDIO_OUT.name).inc()
            return
        call.deliver_audio(body, meta, extract_trace_context(message.headers))

    @control_sub(decoder=event_decoder(control_event_decoder))
    async def on_control(event: ControlEvent | None) -> None:
        if event is None:
            return
        call = registry.get(event.session_id)
        if call is None:
            metrics.UNROUTABLE_MESSAGES.labels(topic=CONTROL.name).inc()
            return
        await call.apply_control(event)

    return [audio_sub, control_sub]
