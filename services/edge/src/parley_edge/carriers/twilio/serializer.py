"""The Twilio Media Streams wire format, and nothing else: JSON text frames both ways."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

import orjson
from parley_contracts import MAX_CALLER_FRAME_BYTES
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

MAX_MESSAGE_BYTES = 64 * 1024


class MalformedMessageError(ValueError):
    """An inbound message that is not valid Media Streams protocol. ``kind`` labels metrics."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Connected(_Message):
    event: Literal["connected"]
    protocol: str = ""
    version: str = ""


class MediaFormat(_Message):
    encoding: str
    sampleRate: int
    channels: int


class StartDetails(_Message):
    streamSid: str
    callSid: str
    accountSid: str = ""
    tracks: list[str] = Field(default_factory=list)
    mediaFormat: MediaFormat | None = None
    customParameters: dict[str, str] = Field(default_factory=dict)


class Start(_Message):
    event: Literal["start"]
    streamSid: str
    start: StartDetails


MAX_COUNTER = 2**63 - 1  # chunk and timestamp travel on as Kafka headers and JSON


class MediaPayload(_Message):
    track: str = "inbound"
    chunk: int = Field(ge=0, le=MAX_COUNTER)
    timestamp: int = Field(ge=0, le=MAX_COUNTER)
    payload: str


class Media(_Message):
    event: Literal["media"]
    streamSid: str = ""
    media: MediaPayload


class MarkName(_Message):
    name: str


class Mark(_Message):
    event: Literal["mark"]
    streamSid: str = ""
    mark: MarkName


class DtmfDigit(_Message):
    track: str = "inbound_track"
    digit: str = Field(pattern=r"^[0-9*#A-D]$")


class Dtmf(_Message):
    event: Literal["dtmf"]
    dtmf: DtmfDigit


class StopDetails(_Message):
    callSid: str = ""
    accountSid: str = ""


class Stop(_Message):
    event: Literal["stop"]
    stop: StopDetails = Field(default_factory=StopDetails)


InboundMessage = Annotated[
    Connected | Start | Media | Mark | Dtmf | Stop, Field(discriminator="event")
]
_inbound = TypeAdapter[InboundMessage](InboundMessage)
KNOWN_EVENTS = frozenset({"connected", "start", "media", "mark", "dtmf", "stop"})


class TwilioMediaSerializer:
    """Parses what Twilio sends and builds what we send back."""

    def parse(self, text: str | bytes) -> InboundMessage:
        if len(text) > MAX_MESSAGE_BYTES:
            raise MalformedMessageError("oversized", f"{len(text)} bytes")
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise MalformedMessageError("invalid_json", str(exc)) from None
        if not isinstance(raw, dict):
            raise MalformedMessageError("invalid_json", "top level is not an object")
        event = raw.get("event")
        if not isinstance(event, str) or event not in KNOWN_EVENTS:
            raise MalformedMessageError("unknown_event", repr(event)[:40])
        try:
            return _inbound.validate_python(raw)
        except ValidationError as exc:
            raise MalformedMessageError("invalid_fields", str(exc.errors()[0]["loc"])) from None

    def audio(self, media: Media) -> bytes:
        try:
            frame = base64.b64decode(media.media.payload, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedMessageError("invalid_base64", "media payload") from None
        if len(frame) > MAX_CALLER_FRAME_BYTES:
            raise MalformedMessageError("oversized", f"media frame of {len(frame)} bytes")
        return frame

    def media(self, stream_sid: str, frame: bytes) -> str:
        payload = base64.b64encode(frame).decode()
        return orjson.dumps(
            {"event": "media", "streamSid": stream_sid, "media": {"payload": payload}}
        ).decode()

    def mark(self, stream_sid: str, name: str) -> str:
        return orjson.dumps(
            {"event": "mark", "streamSid": stream_sid, "mark": {"name": name}}
        ).decode()

    def clear(self, stream_sid: str) -> str:
        return orjson.dumps({"event": "clear", "streamSid": stream_sid}).decode()
