"""Amazon's event-stream framing (``application/vnd.amazon.eventstream``), both ways.

Transcribe streaming carries every message in each direction in this binary frame::

    [total length u32][headers length u32][prelude CRC32]
    [headers: (name length u8, name, type u8, value)...][payload][message CRC32]

all big-endian, with zlib's CRC32 over the 8 prelude bytes and over everything before
the last 4 bytes. The SDK wraps each audio event in a signed outer message, so the fake
decodes twice; it encodes its transcript and exception events once. Anything malformed
raises ``FramingError``, which the fake answers the way Transcribe does.
"""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib
from dataclasses import dataclass, field

HeaderValue = bool | int | bytes | str | datetime.datetime | uuid.UUID

PRELUDE = struct.Struct(">III")
CRC = struct.Struct(">I")
FRAME_OVERHEAD = PRELUDE.size + CRC.size
MAX_HEADERS_BYTES = 128 * 1024
MAX_HEADER_VALUE_BYTES = 32 * 1024 - 1
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024

# Header value types, by their code on the wire.
TRUE, FALSE, INT8, INT16, INT32, INT64, BYTES, STRING, TIMESTAMP, UUID = range(10)
_FIXED = {INT8: struct.Struct(">b"), INT16: struct.Struct(">h"), INT32: struct.Struct(">i")}
_FIXED[INT64] = _FIXED[TIMESTAMP] = struct.Struct(">q")
_LENGTH16 = struct.Struct(">H")


class FramingError(ValueError):
    """Bytes that are not a well-formed event-stream message."""


@dataclass(frozen=True, slots=True)
class Message:
    headers: dict[str, HeaderValue] = field(default_factory=dict)
    payload: bytes = b""


def _encode_value(value: HeaderValue) -> bytes:
    if isinstance(value, bool):
        return bytes([TRUE if value else FALSE])
    if isinstance(value, int):
        return bytes([INT64]) + _FIXED[INT64].pack(value)
    if isinstance(value, datetime.datetime):
        millis = round(value.timestamp() * 1000)
        return bytes([TIMESTAMP]) + _FIXED[TIMESTAMP].pack(millis)
    if isinstance(value, uuid.UUID):
        return bytes([UUID]) + value.bytes
    kind, raw = (STRING, value.encode()) if isinstance(value, str) else (BYTES, value)
    if len(raw) > MAX_HEADER_VALUE_BYTES:
        raise FramingError(f"a header value of {len(raw)} bytes is over the limit")
    return bytes([kind]) + _LENGTH16.pack(len(raw)) + raw


def encode_headers(headers: dict[str, HeaderValue]) -> bytes:
    parts: list[bytes] = []
    for name, value in headers.items():
        raw_name = name.encode()
        if not 0 < len(raw_name) < 256:
            raise FramingError(f"header name {name!r} must be 1 to 255 bytes")
        parts.append(bytes([len(raw_name)]) + raw_name + _encode_value(value))
    return b"".join(parts)


def encode(message: Message) -> bytes:
    headers = encode_headers(message.headers)
    if len(headers) > MAX_HEADERS_BYTES or len(message.payload) > MAX_PAYLOAD_BYTES:
        raise FramingError("headers or payload over the event-stream limits")
    total = FRAME_OVERHEAD + len(headers) + len(message.payload)
    prelude = struct.pack(">II", total, len(headers))
    prelude += CRC.pack(zlib.crc32(prelude))
    body = prelude + headers + message.payload
    return body + CRC.pack(zlib.crc32(body))


def _decode_value(data: bytes, at: int) -> tuple[HeaderValue, int]:
    kind = data[at]
    at += 1
    if kind in (TRUE, FALSE):
        return kind == TRUE, at
    if kind in _FIXED:
        fixed = _FIXED[kind]
        (number,) = fixed.unpack_from(data, at)
        if kind == TIMESTAMP:
            moment = datetime.datetime.fromtimestamp(number / 1000, datetime.UTC)
            return moment, at + fixed.size
        return number, at + fixed.size
    if kind == UUID:
        return uuid.UUID(bytes=data[at : at + 16]), at + 16
    if kind in (BYTES, STRING):
        (length,) = _LENGTH16.unpack_from(data, at)
        raw = data[at + 2 : at + 2 + length]
        if len(raw) != length:
            raise FramingError("a header value runs past the headers")
        return (raw.decode() if kind == STRING else raw), at + 2 + length
    raise FramingError(f"unknown header value type {kind}")


def decode_headers(data: bytes) -> dict[str, HeaderValue]:
    headers: dict[str, HeaderValue] = {}
    at = 0
    try:
        while at < len(data):
            name_length = data[at]
            name = data[at + 1 : at + 1 + name_length].decode()
            value, at = _decode_value(data, at + 1 + name_length)
            if name in headers:
                raise FramingError(f"header {name!r} appears twice")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise FramingError(f"malformed headers: {exc}") from exc
    if at != len(data):
        raise FramingError("a header runs past the headers")
    return headers


def _checked(frame: bytes) -> Message:
    total, headers_length, _ = PRELUDE.unpack_from(frame)
    (message_crc,) = CRC.unpack_from(frame, total - CRC.size)
    if zlib.crc32(frame[: total - CRC.size]) != message_crc:
        raise FramingError("message checksum mismatch")
    headers_end = PRELUDE.size + headers_length
    return Message(decode_headers(frame[PRELUDE.size : headers_end]), frame[headers_end:-4])


class MessageDecoder:
    """Messages out of a byte stream that arrives in arbitrary pieces."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of a message not yet complete."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while len(self._buffer) >= PRELUDE.size:
            total, headers_length, prelude_crc = PRELUDE.unpack_from(self._buffer)
            if zlib.crc32(self._buffer[:8]) != prelude_crc:
                raise FramingError("prelude checksum mismatch")
            payload_length = total - FRAME_OVERHEAD - headers_length
            if (
                total < FRAME_OVERHEAD
                or headers_length > MAX_HEADERS_BYTES
                or not 0 <= payload_length <= MAX_PAYLOAD_BYTES
            ):
                raise FramingError(f"impossible lengths: total {total}, headers {headers_length}")
            if len(self._buffer) < total:
                break
            frame = bytes(self._buffer[:total])
            del self._buffer[:total]
            messages.append(_checked(frame))
        return messages


def decode(frame: bytes) -> Message:
    """Exactly one whole message."""
    decoder = MessageDecoder()
    messages = decoder.feed(frame)
    if len(messages) != 1 or decoder.pending:
        raise FramingError("expected exactly one whole message")
    return messages[0]
