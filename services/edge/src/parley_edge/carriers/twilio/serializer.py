"""The Twilio Media Streams wire format, and nothing else: JSON text frames both ways.

Twilio's messages are parsed into the models below (:meth:`TwilioMediaSerializer.parse`)
and from there into the carrier-neutral events the call core handles.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

import orjson
from parley_contracts import MAX_CALLER_FRAME_BYTES
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from parley_edge.carriers.base import (
    CallerAudio,
    InboundEvent,
    KeyPressed,
    MalformedMessageError,
    MarkReached,
    MediaSerializer,
    StreamStarted,
    StreamStopped,
)

MAX_MESSAGE_BYTES = 64 * 1024
CALLER_TRACKS = frozenset({"inbound", "inbound_track"})


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


class TwilioMediaSerializer(MediaSerializer):
    """Parses what Twilio sends and builds what we send back."""

    carrier = "twilio"

    def deserialize(self, text: str) -> InboundEvent | None:
        return _event(self.parse(text))

    def decode_audio(self, audio: CallerAudio) -> bytes:
        return _decoded(audio.payload)

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
        return _decoded(media.media.payload)

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


def _decoded(payload: str) -> bytes:
    try:
        frame = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedMessageError("invalid_base64", "media payload") from None
    if len(frame) > MAX_CALLER_FRAME_BYTES:
        raise MalformedMessageError("oversized", f"media frame of {len(frame)} bytes")
    return frame


def _event(message: InboundMessage) -> InboundEvent | None:
    """``connected`` says nothing the call core needs: None."""
    if isinstance(message, Media):
        return CallerAudio(
            seq=message.media.chunk,
            timestamp_ms=message.media.timestamp,
            payload=message.media.payload,
            from_caller=message.media.track in CALLER_TRACKS,
        )
    if isinstance(message, Start):
        return StreamStarted(
            call_id=message.start.callSid,
            stream_id=message.start.streamSid or message.streamSid,
            account_id=message.start.accountSid,
            parameters=message.start.customParameters,
        )
    if isinstance(message, Mark):
        return MarkReached(message.mark.name)
    if isinstance(message, Dtmf):
        return KeyPressed(message.dtmf.digit)
    if isinstance(message, Stop):
        return StreamStopped()
    return None
