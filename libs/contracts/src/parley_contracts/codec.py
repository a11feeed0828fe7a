"""orjson encoding and validated decoding of events."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from parley_contracts.events import CallEvent, ControlEvent, ReplyEvent, TranscriptEvent

T = TypeVar("T")


class EventDecodeError(ValueError):
    """A message on a JSON topic is not a valid event of that topic."""


def encode_event(event: BaseModel) -> bytes:
    """Serialise an event to the bytes written to Kafka."""
    return orjson.dumps(event.model_dump(mode="json", by_alias=True))


class EventDecoder:
    """Decodes one topic's messages into its event union."""

    def __init__(self, union: Any, topic: str) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(union)
        self._topic = topic

    @property
    def topic(self) -> str:
        return self._topic

    def decode(self, data: bytes) -> Any:
        try:
            return self._adapter.validate_python(orjson.loads(data))
        except (orjson.JSONDecodeError, ValidationError) as exc:
            raise EventDecodeError(f"message on {self._topic} is not a valid event: {exc}") from exc


call_event_decoder = EventDecoder(CallEvent, "parley.call.events")
transcript_event_decoder = EventDecoder(TranscriptEvent, "parley.transcripts")
reply_event_decoder = EventDecoder(ReplyEvent, "parley.replies")
control_event_decoder = EventDecoder(ControlEvent, "parley.control")
