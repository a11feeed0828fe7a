from __future__ import annotations

import base64

import orjson
import pytest
from parley_edge.carriers.base import MalformedMessageError
from parley_edge.carriers.twilio.serializer import (
    Media,
    Start,
    Stop,
    TwilioMediaSerializer,
)

serializer = TwilioMediaSerializer()
START = {
    "event": "start",
    "sequenceNumber": "1",
    "streamSid": "MZ1",
    "start": {
        "accountSid": "AC1",
        "streamSid": "MZ1",
        "callSid": "CA1",
        "tracks": ["inbound"],
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        "customParameters": {"sessionId": "abc"},
    },
}


def media(payload: str) -> str:
    return orjson.dumps(
        {
            "event": "media",
            "sequenceNumber": "3",
            "streamSid": "MZ1",
            "media": {"track": "inbound", "chunk": "2", "timestamp": "20", "payload": payload},
        }
    ).decode()


def test_parses_start_with_custom_parameters() -> None:
    parsed = serializer.parse(orjson.dumps(START))
    assert isinstance(parsed, Start)
    assert parsed.start.customParameters == {"sessionId": "abc"} and parsed.start.callSid == "CA1"


def test_media_payload_decodes_to_raw_mulaw() -> None:
    frame = bytes(range(160))
    parsed = serializer.parse(media(base64.b64encode(frame).decode()))
    assert isinstance(parsed, Media)
    assert parsed.media.chunk == 2 and parsed.media.timestamp == 20
    assert serializer.audio(parsed) == frame


def test_stop_parses() -> None:
    assert isinstance(
        serializer.parse('{"event":"stop","streamSid":"MZ1","stop":{"callSid":"CA1"}}'), Stop
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("{not json", "invalid_json"),
        ("[1,2]", "invalid_json"),
        ('{"event":"party"}', "unknown_event"),
        ('{"event":"media","media":{"chunk":"x","timestamp":"1","payload":""}}', "invalid_fields"),
        ("x" * 70000, "oversized"),
    ],
)
def test_malformed_messages_are_classified(text: str, kind: str) -> None:
    with pytest.raises(MalformedMessageError) as error:
        serializer.parse(text)
    assert error.value.kind == kind


def test_invalid_base64_and_oversized_frames_are_rejected() -> None:
    bad = serializer.parse(media("!!!not base64!!!"))
    assert isinstance(bad, Media)
    with pytest.raises(MalformedMessageError, match="invalid_base64"):
        serializer.audio(bad)
    huge = serializer.parse(media(base64.b64encode(b"\xff" * 9000).decode()))
    assert isinstance(huge, Media)
    with pytest.raises(MalformedMessageError, match="oversized"):
        serializer.audio(huge)


def test_outbound_messages_match_the_twilio_wire_format() -> None:
    assert orjson.loads(serializer.media("MZ1", b"\x00\xff")) == {
        "event": "media",
        "streamSid": "MZ1",
        "media": {"payload": "AP8="},
    }
    assert orjson.loads(serializer.mark("MZ1", "t1.s0")) == {
        "event": "mark",
        "streamSid": "MZ1",
        "mark": {"name": "t1.s0"},
    }
    assert orjson.loads(serializer.clear("MZ1")) == {"event": "clear", "streamSid": "MZ1"}


@pytest.mark.parametrize("digit", ["Z", "12", "", "!"])
def test_a_dtmf_digit_twilio_cannot_send_is_malformed(digit: str) -> None:
    message = orjson.dumps({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": digit}})
    with pytest.raises(MalformedMessageError) as error:
        TwilioMediaSerializer().parse(message)
    assert error.value.kind == "invalid_fields"
