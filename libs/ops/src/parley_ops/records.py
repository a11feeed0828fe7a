"""Kafka messages of Parley's topics, decoded into one readable record each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka.structs import ConsumerRecord
from parley_audio.codec import mulaw_decode
from parley_audio.levels import rms_dbfs
from parley_contracts import (
    call_event_decoder,
    control_event_decoder,
    reply_event_decoder,
    transcript_event_decoder,
)
from parley_contracts.codec import EventDecodeError, EventDecoder

DECODERS: dict[str, EventDecoder] = {
    d.topic: d
    for d in (
        call_event_decoder,
        transcript_event_decoder,
        reply_event_decoder,
        control_event_decoder,
    )
}
AUDIO_FIELDS = ("seq", "turn", "segment", "eos", "last", "slot", "recv")
# What a sealed text field shows as when this process lacks its key
# (PARLEY_SESSIONS_ENCRYPTION_KEYS, read with the KAFKA_* settings).
ENCRYPTED = "<encrypted>"
AUDIO_KIND = "audio.frame"
SILENCE_DBFS = -100.0
"""The level shown for digital silence (all-zero samples), whose RMS is -inf dBFS:
JSON cannot carry -inf (it would print as null), and -100 is below anything mu-law
can carry other than silence (its quietest sample is about -72 dBFS)."""


@dataclass(frozen=True)
class TopicRecord:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    session: str
    kind: str
    fields: dict[str, Any]
    audio: bytes = field(default=b"", repr=False)
    """An audio frame's payload (raw mu-law), kept to measure the run it belongs to."""

    def as_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "at": datetime.fromtimestamp(self.timestamp_ms / 1000, UTC).isoformat(),
            "session": self.session,
            "kind": self.kind,
            **self.fields,
        }

    def as_line(self) -> str:
        when = datetime.fromtimestamp(self.timestamp_ms / 1000, UTC).strftime("%H:%M:%S.%f")[:-3]
        details = " ".join(f"{k}={_short(v)}" for k, v in self.fields.items())
        return f"{when}  {self.topic:<19} {self.session[:8]:<8}  {self.kind:<20} {details}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return repr(text) if " " in text and isinstance(value, str) else text


def level_dbfs(mulaw: bytes) -> float:
    """RMS level of mu-law audio in dBFS, to one decimal, floored at ``SILENCE_DBFS``."""
    return round(max(rms_dbfs(mulaw_decode(mulaw)), SILENCE_DBFS), 1)


def decode_record(message: ConsumerRecord[bytes, bytes]) -> TopicRecord:
    headers = {k: v.decode(errors="replace") for k, v in message.headers or ()}
    session = (message.key or b"").decode(errors="replace")
    value = message.value or b""
    decoder = DECODERS.get(message.topic)
    if decoder is None:  # an audio topic: raw mu-law, metadata in headers
        fields: dict[str, Any] = {"bytes": len(value)}
        fields.update({k: headers[k] for k in AUDIO_FIELDS if k in headers})
        fields["level_dbfs"] = level_dbfs(value) if value else None
        kind = AUDIO_KIND
    else:
        try:
            event = decoder.decode(value, unopened=ENCRYPTED)
            fields = event.model_dump(
                mode="json", by_alias=True, exclude={"v", "session_id", "at", "type"}
            )
            kind = str(event.type)
        except EventDecodeError as exc:
            fields, kind = {"error": str(exc)[:200]}, "invalid"
    return TopicRecord(
        message.topic,
        message.partition,
        message.offset,
        message.timestamp,
        session,
        kind,
        fields,
        audio=value if kind == AUDIO_KIND else b"",
    )
