"""Kafka headers that describe a raw audio frame.

Audio frames are the hot path (50 per second per call each way), so the message value
is the raw mu-law bytes and everything else travels in these few small headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MULAW_8K = "audio/x-mulaw;rate=8000"
AUDIO_HEADER_VERSION = "1"
MAX_CALLER_FRAME_BYTES = 8000
"""The largest caller frame on ``parley.audio.in``: one second of mu-law 8 kHz (Twilio
sends 20 ms, 160 bytes). Larger or empty frames are refused by the edge and by stt."""


class AudioHeaderError(ValueError):
    """An audio message lacks a header it must carry, or one is malformed."""


def _text(headers: Mapping[str, str | bytes], name: str) -> str:
    try:
        value = headers[name]
    except KeyError:
        raise AudioHeaderError(f"audio frame is missing the {name!r} header") from None
    return value.decode() if isinstance(value, bytes) else value


def _int(headers: Mapping[str, str | bytes], name: str) -> int:
    raw = _text(headers, name)
    try:
        return int(raw)
    except ValueError:
        raise AudioHeaderError(f"audio frame header {name!r} is not an integer: {raw!r}") from None


@dataclass(frozen=True, slots=True)
class InboundAudioHeaders:
    """A caller frame on ``parley.audio.in``."""

    session_id: str
    seq: int
    media_timestamp_ms: int
    received_at_ms: int
    edge_slot: int
    codec: str = MULAW_8K
    stt_provider: str | None = None
    """The speech provider this call asked for; absent = the deployment's default."""

    def to_headers(self) -> dict[str, str]:
        headers = {
            "v": AUDIO_HEADER_VERSION,
            "session": self.session_id,
            "seq": str(self.seq),
            "ts": str(self.media_timestamp_ms),
            "recv": str(self.received_at_ms),
            "slot": str(self.edge_slot),
            "codec": self.codec,
        }
        if self.stt_provider:
            headers["stt"] = self.stt_provider
        return headers

    @classmethod
    def from_headers(cls, headers: Mapping[str, str | bytes]) -> InboundAudioHeaders:
        return cls(
            session_id=_text(headers, "session"),
            seq=_int(headers, "seq"),
            media_timestamp_ms=_int(headers, "ts"),
            received_at_ms=_int(headers, "recv"),
            edge_slot=_int(headers, "slot"),
            codec=_text(headers, "codec"),
            stt_provider=_text(headers, "stt") if "stt" in headers else None,
        )


@dataclass(frozen=True, slots=True)
class OutboundAudioHeaders:
    """An agent frame on ``parley.audio.out``; ``segment`` is the sentence index."""

    session_id: str
    turn_id: int
    segment: int
    seq: int
    last_in_segment: bool
    last_segment: bool
    hangup_after: bool = False
    speech_ended_at_ms: int | None = None
    """Wall-clock end of the caller speech this reply answers (epoch ms), if known."""
    synthesized_at_ms: int | None = None
    """Wall-clock time synthesis produced this frame (epoch ms); set on a turn's first frame."""
    codec: str = MULAW_8K
    text_id: str = ""
    """Identifies the sentence's text (a short hash), so the edge can tell the same
    sentence synthesised twice from a new sentence that reuses its turn and segment."""

    def to_headers(self) -> dict[str, str]:
        headers = {
            "v": AUDIO_HEADER_VERSION,
            "session": self.session_id,
            "turn": str(self.turn_id),
            "segment": str(self.segment),
            "seq": str(self.seq),
            "eos": "1" if self.last_in_segment else "0",
            "last": "1" if self.last_segment else "0",
            "hangup": "1" if self.hangup_after else "0",
            "codec": self.codec,
        }
        if self.speech_ended_at_ms is not None:
            headers["spoke"] = str(self.speech_ended_at_ms)
        if self.synthesized_at_ms is not None:
            headers["synth"] = str(self.synthesized_at_ms)
        if self.text_id:
            headers["text"] = self.text_id
        return headers

    @classmethod
    def from_headers(cls, headers: Mapping[str, str | bytes]) -> OutboundAudioHeaders:
        return cls(
            session_id=_text(headers, "session"),
            turn_id=_int(headers, "turn"),
            segment=_int(headers, "segment"),
            seq=_int(headers, "seq"),
            last_in_segment=_text(headers, "eos") == "1",
            last_segment=_text(headers, "last") == "1",
            hangup_after=_text(headers, "hangup") == "1",
            speech_ended_at_ms=_int(headers, "spoke") if "spoke" in headers else None,
            synthesized_at_ms=_int(headers, "synth") if "synth" in headers else None,
            codec=_text(headers, "codec"),
            text_id=_text(headers, "text") if "text" in headers else "",
        )
