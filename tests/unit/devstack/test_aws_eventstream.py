"""The Transcribe fake's event-stream framing, against the SDK's own encoder and decoder:
what the SDK sends the fake can read, what the fake sends the SDK can read, and damaged
or impossible frames are refused rather than misread."""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib

import pytest
from amazon_transcribe.eventstream import (
    HEADERS_SERIALIZATION_DICT,
    EventStreamBuffer,
    EventStreamMessageSerializer,
    Int8HeaderValue,
    Int16HeaderValue,
    Int32HeaderValue,
    Int64HeaderValue,
)
from parley_devstack.fakes.aws_transcribe.eventstream import (
    FramingError,
    Message,
    MessageDecoder,
    decode,
    encode,
)

AUDIO_EVENT: HEADERS_SERIALIZATION_DICT = {
    ":message-type": "event",
    ":event-type": "AudioEvent",
    ":content-type": "application/octet-stream",
}


def sdk_frame(headers: HEADERS_SERIALIZATION_DICT, payload: bytes) -> bytes:
    return EventStreamMessageSerializer().serialize(headers, payload)


def test_an_sdk_audio_event_inside_its_signed_wrapper_decodes() -> None:
    inner = sdk_frame(AUDIO_EVENT, b"\x01\x02" * 800)
    moment = datetime.datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=datetime.UTC)
    outer = sdk_frame({":date": moment, ":chunk-signature": b"\xab" * 32}, inner)

    message = decode(outer)
    assert message.headers == {":date": moment, ":chunk-signature": b"\xab" * 32}
    audio = decode(message.payload)
    assert audio.headers == AUDIO_EVENT
    assert audio.payload == b"\x01\x02" * 800


def test_every_header_type_the_sdk_writes_is_read_back() -> None:
    headers: HEADERS_SERIALIZATION_DICT = {
        "yes": True,
        "no": False,
        "i8": Int8HeaderValue(-5),
        "i16": Int16HeaderValue(-300),
        "i32": Int32HeaderValue(70_000),
        "i64": Int64HeaderValue(2**40),
        "raw": b"\x00\xff",
        "text": "héllo",
        "id": uuid.UUID(int=7),
    }
    message = decode(sdk_frame(headers, b""))
    assert message.headers == {
        "yes": True,
        "no": False,
        "i8": -5,
        "i16": -300,
        "i32": 70_000,
        "i64": 2**40,
        "raw": b"\x00\xff",
        "text": "héllo",
        "id": uuid.UUID(int=7),
    }


def test_what_the_fake_encodes_the_sdk_decodes() -> None:
    payload = b'{"Transcript":{"Results":[]}}'
    frame = encode(Message({":message-type": "event", ":event-type": "TranscriptEvent"}, payload))
    buffer = EventStreamBuffer()  # type: ignore[no-untyped-call]
    buffer.add_data(frame)
    (message,) = list(buffer)
    assert message.headers == {":message-type": "event", ":event-type": "TranscriptEvent"}
    assert message.payload == payload


def test_messages_split_anywhere_come_out_whole_and_in_order() -> None:
    frames = b"".join(encode(Message({"n": str(i)}, bytes([i]) * i)) for i in range(1, 6))
    decoder = MessageDecoder()
    messages: list[Message] = []
    for piece in (frames[i : i + 7] for i in range(0, len(frames), 7)):
        messages.extend(decoder.feed(piece))
    assert [(m.headers["n"], m.payload) for m in messages] == [
        (str(i), bytes([i]) * i) for i in range(1, 6)
    ]
    assert decoder.pending == 0


def test_a_flipped_payload_byte_fails_the_message_checksum() -> None:
    frame = bytearray(encode(Message({"a": "b"}, b"audio")))
    frame[-6] ^= 0x01
    with pytest.raises(FramingError, match="message checksum"):
        decode(bytes(frame))


def test_a_damaged_prelude_is_refused_before_waiting_for_its_length() -> None:
    frame = bytearray(encode(Message({}, b"x")))
    frame[0:4] = struct.pack(">I", 10_000_000)  # a huge length, checksum now wrong
    with pytest.raises(FramingError, match="prelude checksum"):
        MessageDecoder().feed(bytes(frame[:12]))


def test_impossible_lengths_with_a_valid_prelude_checksum_are_refused() -> None:
    prelude = struct.pack(">II", 16, 64)  # headers longer than the whole message
    frame = prelude + struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(FramingError, match="impossible lengths"):
        MessageDecoder().feed(frame)


def test_an_unknown_header_type_is_refused() -> None:
    headers = bytes([1]) + b"h" + bytes([42])
    prelude = struct.pack(">II", 16 + len(headers), len(headers))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers
    with pytest.raises(FramingError, match="unknown header value type 42"):
        decode(body + struct.pack(">I", zlib.crc32(body)))


def test_one_message_is_expected_where_one_is_wanted() -> None:
    frame = encode(Message({}, b"a"))
    with pytest.raises(FramingError, match="exactly one"):
        decode(frame + frame)
    with pytest.raises(FramingError, match="exactly one"):
        decode(frame[:-1])
