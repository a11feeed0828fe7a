"""What `parley inspect` makes of each kind of message on Parley's topics."""

from __future__ import annotations

import pytest
from aiokafka.structs import ConsumerRecord
from parley_contracts import (
    AUDIO_IN,
    CALL_EVENTS,
    TRANSCRIPTS,
    InboundAudioHeaders,
    Transcript,
    encode_event,
)
from parley_ops import UnknownTopicError, decode_record, resolve_topics

SESSION = "3f1c9a52-8d4e-4a5b-9c1d-2e7f6a8b9c0d"
SILENCE = b"\xff" * 160  # mu-law zero
LOUD = bytes([0x00, 0x80] * 80)  # full-scale alternating samples


def message(
    topic: str, value: bytes, headers: dict[str, str] | None = None
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic,
        partition=3,
        offset=42,
        timestamp=1_700_000_000_000,
        timestamp_type=0,
        key=SESSION.encode(),
        value=value,
        checksum=None,
        serialized_key_size=len(SESSION),
        serialized_value_size=len(value),
        headers=[(k, v.encode()) for k, v in (headers or {}).items()],
    )


def audio_frame(frame: bytes, seq: int) -> ConsumerRecord[bytes, bytes]:
    meta = InboundAudioHeaders(SESSION, seq, seq * 20, 1_700_000_000_000, edge_slot=2)
    return message(AUDIO_IN.name, frame, meta.to_headers())


def test_an_audio_frame_is_summarised_by_size_sequence_and_level() -> None:
    quiet = decode_record(audio_frame(SILENCE, 7))
    loud = decode_record(audio_frame(LOUD, 8))
    assert quiet.kind == "audio.frame"
    assert quiet.session == SESSION
    assert quiet.fields["bytes"] == 160 and quiet.fields["seq"] == "7"
    assert quiet.fields["slot"] == "2"
    assert loud.fields["level_dbfs"] > quiet.fields["level_dbfs"] + 40
    assert "level_dbfs=" in loud.as_line() and "seq=8" in loud.as_line()


def test_an_event_is_decoded_into_its_own_fields() -> None:
    transcript = Transcript(
        session_id=SESSION,
        edge_slot=2,
        text="what time do you open",
        confidence=0.9,
        is_final=True,
        start_ms=100,
        end_ms=1500,
    )
    record = decode_record(message(TRANSCRIPTS.name, encode_event(transcript)))
    assert record.kind == "stt.transcript"
    assert record.fields["text"] == "what time do you open"
    assert record.fields["isFinal"] is True
    as_json = record.as_json()
    assert as_json["topic"] == TRANSCRIPTS.name and as_json["offset"] == 42
    assert as_json["session"] == SESSION and "sessionId" not in as_json
    assert "'what time do you open'" in record.as_line()


def test_a_message_that_is_not_an_event_is_reported_not_fatal() -> None:
    record = decode_record(message(CALL_EVENTS.name, b'{"type": "call.nonsense"}'))
    assert record.kind == "invalid"
    assert record.fields["error"]


def test_topics_are_named_in_full_short_or_all() -> None:
    assert resolve_topics(["replies", "parley.control"])[1].name == "parley.control"
    assert resolve_topics(["all"]) == resolve_topics([])
    with pytest.raises(UnknownTopicError, match=r"unknown topic parley\.nope"):
        resolve_topics(["parley.nope"])
