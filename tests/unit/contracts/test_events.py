from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from parley_contracts import (
    ALL_TOPICS,
    AudioHeaderError,
    CallEnded,
    CallStarted,
    ClearPlayback,
    DtmfPressed,
    EventDecodeError,
    HangUp,
    InboundAudioHeaders,
    OutboundAudioHeaders,
    PlaybackMarked,
    ReplySentence,
    SegmentMark,
    SessionClosed,
    SpeechStarted,
    Transcript,
    call_event_decoder,
    control_event_decoder,
    encode_event,
    reply_event_decoder,
    transcript_event_decoder,
)

AT = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)

CASES = [
    (
        call_event_decoder,
        CallStarted(session_id="s", edge_slot=2, call_sid="CA1", stream_sid="MZ1", at=AT),
    ),
    (call_event_decoder, CallEnded(session_id="s", call_sid="CA1", reason="completed", at=AT)),
    (
        call_event_decoder,
        PlaybackMarked(session_id="s", turn_id=3, segment=1, last_segment=True, at=AT),
    ),
    (call_event_decoder, DtmfPressed(session_id="s", edge_slot=0, digit="7", at=AT)),
    (call_event_decoder, SessionClosed(session_id="s", reason="ttl_expired", at=AT)),
    (transcript_event_decoder, SpeechStarted(session_id="s", edge_slot=1, offset_ms=120, at=AT)),
    (
        transcript_event_decoder,
        Transcript(
            session_id="s",
            edge_slot=1,
            text="hello there",
            confidence=0.8,
            is_final=True,
            start_ms=100,
            end_ms=900,
            speech_ended_at=AT,
            at=AT,
        ),
    ),
    (
        reply_event_decoder,
        ReplySentence(
            session_id="s",
            edge_slot=0,
            turn_id=4,
            index=0,
            text="Hi.",
            is_last=True,
            hangup_after=True,
            at=AT,
        ),
    ),
    (control_event_decoder, ClearPlayback(session_id="s", turn_id=5, at=AT)),
    (control_event_decoder, HangUp(session_id="s", reason="ttl_expired", at=AT)),
]


@pytest.mark.parametrize(("decoder", "event"), CASES, ids=lambda c: type(c).__name__)
def test_events_round_trip(decoder, event) -> None:  # type: ignore[no-untyped-def]
    decoded = decoder.decode(encode_event(event))
    assert decoded == event
    assert type(decoded) is type(event)


def test_wire_format_is_camel_case_json_with_type_and_version() -> None:
    wire = orjson.loads(
        encode_event(
            CallStarted(session_id="s", edge_slot=2, call_sid="CA1", stream_sid="MZ1", at=AT)
        )
    )
    assert wire["type"] == "call.started"
    assert wire["v"] == 1
    assert wire["sessionId"] == "s" and wire["edgeSlot"] == 2 and wire["callSid"] == "CA1"
    assert wire["at"] == "2026-01-02T03:04:05.678000Z"


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    wire = orjson.loads(encode_event(HangUp(session_id="s", reason="x", at=AT)))
    wire["addedLater"] = 1
    assert control_event_decoder.decode(orjson.dumps(wire)) == HangUp(
        session_id="s", reason="x", at=AT
    )


@pytest.mark.parametrize(
    "payload", [b"not json", b"[]", b'{"type": "nope"}', b'{"type": "control.clear"}']
)
def test_invalid_messages_raise_a_decode_error_naming_the_topic(payload: bytes) -> None:
    with pytest.raises(EventDecodeError, match=r"parley\.control"):
        control_event_decoder.decode(payload)


def test_audio_headers_round_trip() -> None:
    inbound = InboundAudioHeaders(
        "s", seq=9, media_timestamp_ms=180, received_at_ms=1_700_000_000_000, edge_slot=3
    )
    assert InboundAudioHeaders.from_headers(inbound.to_headers()) == inbound
    encoded = {k: v.encode() for k, v in inbound.to_headers().items()}
    assert InboundAudioHeaders.from_headers(encoded) == inbound  # aiokafka gives bytes
    outbound = OutboundAudioHeaders(
        "s",
        turn_id=2,
        segment=1,
        seq=40,
        last_in_segment=True,
        last_segment=False,
        hangup_after=False,
        speech_ended_at_ms=123,
    )
    assert OutboundAudioHeaders.from_headers(outbound.to_headers()) == outbound


def test_audio_headers_report_what_is_missing() -> None:
    headers = InboundAudioHeaders("s", 1, 0, 0, 0).to_headers()
    del headers["slot"]
    with pytest.raises(AudioHeaderError, match="slot"):
        InboundAudioHeaders.from_headers(headers)
    headers = InboundAudioHeaders("s", 1, 0, 0, 0).to_headers() | {"seq": "x"}
    with pytest.raises(AudioHeaderError, match="seq"):
        InboundAudioHeaders.from_headers(headers)


def test_segment_marks_round_trip_and_reject_foreign_names() -> None:
    for mark in (
        SegmentMark(0, 0),
        SegmentMark(12, 3, last_segment=True),
        SegmentMark(1, 0, True, True),
    ):
        assert SegmentMark.parse(mark.name()) == mark
    assert SegmentMark.parse("my label") is None


def test_topic_catalogue_is_consistent() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(names) == len(set(names))
    by_name = {t.name: t for t in ALL_TOPICS}
    # Co-partitioned: audio + lifecycle (stt), transcripts + lifecycle (dialogue).
    assert by_name["parley.audio.in"].partitions == by_name["parley.call.events"].partitions
    assert by_name["parley.transcripts"].partitions == by_name["parley.call.events"].partitions
