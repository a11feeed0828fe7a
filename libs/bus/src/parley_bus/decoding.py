"""Turning JSON topic messages into typed events.

A message that is not a valid event is logged, counted and skipped (the handler gets
``None``): one bad message must never stop a partition.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaMessage
from parley_contracts import EventDecodeError
from parley_contracts.codec import EventDecoder
from prometheus_client import Counter

log = logging.getLogger(__name__)

INVALID_MESSAGES = Counter(
    "parley_bus_invalid_messages_total",
    "Messages skipped because they were not valid events",
    ["topic"],
)


def decode_or_skip(decoder: EventDecoder, message: KafkaMessage) -> Any:
    """The decoded event, or None (logged and counted) when the message is invalid."""
    try:
        return decoder.decode(message.body)
    except EventDecodeError as exc:
        topic = str(getattr(message.raw_message, "topic", "?"))
        INVALID_MESSAGES.labels(topic=topic).inc()
        log.warning(
            "skipping invalid event",
            extra={"event": "bus.invalid_event", "topic": topic, "error": str(exc)[:300]},
        )
        return None


def event_decoder(decoder: EventDecoder) -> Callable[[KafkaMessage], Awaitable[Any]]:
    """A FastStream ``decoder=`` for subscribers of one JSON topic."""

    async def decode(message: KafkaMessage) -> Any:
        return decode_or_skip(decoder, message)

    return decode
