"""How every Parley consumer reads a Kafka record before its handler sees it.

Anyone who can write to a topic can write anything, so reading must not trust the
record's shape: headers that are not UTF-8 are dropped (counted, logged once per topic
and header name) instead of failing the whole record inside the framework, and the
body always reaches the handler as the bytes it is, whatever its content type says
(or lacks), so the handler's own decoding counts what is not a valid event.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaMessage
from prometheus_client import Counter

log = logging.getLogger(__name__)

UNDECODABLE_HEADERS = Counter(
    "parley_bus_undecodable_headers_total",
    "Kafka record headers dropped because their value was not UTF-8",
    ["topic"],
)
_REPORTED_LIMIT = 1000

Parse = Callable[[ConsumerRecord[Any, Any]], Awaitable[KafkaMessage]]


class HeaderSanitiser:
    """Keeps the headers a consumer can read as text; remembers what it has reported."""

    def __init__(self) -> None:
        self._reported: set[tuple[str, str]] = set()

    def readable(self, record: ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
        headers = record.headers or ()
        # Every caller and agent audio frame passes here: the usual all-ASCII headers
        # are let through without copying anything.
        if all(value is not None and value.isascii() for _, value in headers):
            return record
        kept: list[tuple[str, bytes]] = []
        for name, value in headers:
            if value is None:
                kept.append((name, b""))  # a null header value reads as empty text
            elif _is_text(value):
                kept.append((name, value))
            else:
                self._report(record.topic, name)
        return dataclasses.replace(record, headers=kept)

    def _report(self, topic: str, name: str) -> None:
        UNDECODABLE_HEADERS.labels(topic=topic).inc()
        if (topic, name) in self._reported or len(self._reported) >= _REPORTED_LIMIT:
            return
        self._reported.add((topic, name))
        log.warning(
            "dropping a Kafka header that is not UTF-8 (reported once per topic and header)",
            extra={"event": "bus.undecodable_header", "topic": topic, "header": name[:64]},
        )


def _is_text(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except (UnicodeDecodeError, AttributeError):
        return False
    return True


_SANITISER = HeaderSanitiser()


async def parse_record(record: ConsumerRecord[Any, Any], original_parser: Parse) -> KafkaMessage:
    """A FastStream ``parser=``: the framework's parsing, on readable headers only."""
    return await original_parser(_SANITISER.readable(record))


async def raw_body(message: KafkaMessage) -> bytes:
    """A FastStream ``decoder=``: the record's value as bytes, never sniffed as JSON."""
    body = message.body
    return body if isinstance(body, bytes) else bytes(body or b"")
