"""Hostile input to the Media Streams handler, in process: the parser, the token check and
whole message sequences through :class:`CallStream`. Whatever arrives, the stream ends
cleanly (no exception), closes with 1000 or 1008 if at all, publishes nothing for a stream
that never started with a valid token, and passes every good frame of a started call on
in order."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parley_contracts import CallEnded, CallStarted, SegmentMark
from parley_edge.carriers.base import MalformedMessageError
from parley_edge.carriers.twilio.serializer import (
    MAX_MESSAGE_BYTES,
    TwilioMediaSerializer,
)
from parley_edge.stream_token import StreamTokenError
from prometheus_client import REGISTRY

from tests.support.memory_call_index import MemoryCallIndex
from tests.unit.edge.fuzzing import fuzz
from tests.unit.edge.scripted_socket import (
    CALL_SID,
    SESSION_ID,
    STREAM_SID,
    TOKENS,
    RecordingPublisher,
    ScriptedSocket,
    call_stream,
    edge_context,
)

GOOD_TOKEN = TOKENS.issue(SESSION_ID, CALL_SID, now=4_000_000_000)  # valid until 2096

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def frame_for(n: int) -> bytes:
    """A caller frame that says which one it is."""
    return f"good-{n:06d}".encode().ljust(160, b"\xff")


def start(parameters: dict[str, Any], call_sid: str = CALL_SID) -> dict[str, Any]:
    details = {
        "accountSid": "AC" + "3" * 32,
        "streamSid": STREAM_SID,
        "callSid": call_sid,
        "tracks": ["inbound"],
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        "customParameters": parameters,
    }
    return {"event": "start", "sequenceNumber": "1", "streamSid": STREAM_SID, "start": details}


def media(payload: bytes | str, chunk: Any = "1", timestamp: Any = "20") -> dict[str, Any]:
    encoded = payload if isinstance(payload, str) else base64.b64encode(payload).decode()
    body = {"track": "inbound", "chunk": chunk, "timestamp": timestamp, "payload": encoded}
    return {"event": "media", "sequenceNumber": "2", "streamSid": STREAM_SID, "media": body}


CONNECTED = {"event": "connected", "protocol": "Call", "version": "1.0.0"}
GOOD_START = start({"sessionId": SESSION_ID, "token": GOOD_TOKEN})
STOP = {"event": "stop", "streamSid": STREAM_SID, "stop": {"callSid": CALL_SID}}
TEMPLATES: list[dict[str, Any]] = [
    CONNECTED,
    start({"sessionId": "someone-else", "token": GOOD_TOKEN}),  # never a valid start
    media(b"mutant".ljust(160, b"\x00")),
    {"event": "mark", "streamSid": STREAM_SID, "mark": {"name": "t1.s0.last"}},
    {"event": "dtmf", "streamSid": STREAM_SID, "dtmf": {"track": "inbound_track", "digit": "5"}},
    STOP,
]
# Built once: hypothesis would spend its whole budget drawing megabytes.
HUGE: list[str | bytes] = [
    orjson.dumps({"event": "media", "pad": "x" * 1_000_000}).decode(),
    orjson.dumps(media(b"\xff" * 3_000_000)).decode(),  # 4 MB of base64
    "[" * 5_000_000,
    orjson.dumps(media(b"\xff" * 40_000)).decode(),  # under the message limit, not the frame's
    orjson.dumps(media("!" * (MAX_MESSAGE_BYTES - 200))).decode(),
    b"\x00" * 2_000_000,
]


def _mutate(template: dict[str, Any], path: list[int], value: Any) -> dict[str, Any]:
    """``template`` with the field ``path`` picks (at any depth) replaced by ``value``."""
    mutant = orjson.loads(orjson.dumps(template))
    node = mutant
    for step in path:
        key = sorted(node)[step % len(node)]
        if not isinstance(node[key], dict) or not node[key]:
            node[key] = value
            return dict(mutant)
        node = node[key]
    return dict(mutant)


def _scripted(kind: str, value: Any) -> str | bytes:
    # The standard library's encoder, since it writes what orjson refuses: integers
    # beyond 64 bits, NaN and Infinity.
    return value if isinstance(value, str | bytes) else json.dumps(value)


mutants = st.builds(
    _mutate,
    st.sampled_from(TEMPLATES),
    st.lists(st.integers(0, 7), min_size=1, max_size=3),
    json_values,
)
# Each element of a script: (kind, what goes on the wire). Only "start" is a valid start.
script_elements = st.one_of(
    st.just(("connected", CONNECTED)),
    st.just(("start", GOOD_START)),
    st.builds(lambda n: ("media", media(frame_for(n), chunk=str(n))), st.integers(0, 999)),
    st.just(("stop", STOP)),
    st.tuples(
        st.just("forged_start"),
        st.builds(
            lambda params: start(params),
            st.dictionaries(st.sampled_from(["sessionId", "token", "x"]), st.text(max_size=80)),
        ),
    ),
    st.tuples(st.just("json"), json_values),
    st.tuples(st.just("mutant"), mutants),
    st.tuples(st.just("text"), st.text(max_size=200)),
    st.tuples(st.just("binary"), st.binary(max_size=200)),
    st.tuples(st.just("huge"), st.sampled_from(HUGE)),
)


def _expected_frames(script: list[tuple[str, Any]]) -> list[bytes]:
    """Good frames that must reach Kafka: those after the valid start and before stop,
    when nothing that could refuse the stream came before that start."""
    expected: list[bytes] = []
    started = False
    for kind, message in script:
        if not started:
            if kind in ("forged_start", "mutant", "json", "text", "stop"):
                return []  # may have been a refused start (closed 1008) or a stop
            started = kind == "start"
        elif kind in ("stop", "mutant", "json", "text"):
            # A mutated stop may still be a stop; generated JSON or text may be one too
            # (hypothesis also draws on string constants found in loaded modules).
            break
        elif kind == "media":
            expected.append(base64.b64decode(message["media"]["payload"]))
    return expected


def _frames_in(frames: Sequence[str | bytes]) -> set[bytes]:
    """Every caller frame the script carries, however it came to be a media message."""
    serializer = TwilioMediaSerializer()
    found = set()
    for frame in frames:
        try:
            message = serializer.parse(frame)
            if message.event == "media":
                found.add(serializer.audio(message))
        except MalformedMessageError:
            pass
    return found


def _is_subsequence(needle: list[bytes], haystack: list[bytes]) -> bool:
    remaining = iter(haystack)
    return all(any(item == candidate for candidate in remaining) for item in needle)


async def _run_script(
    frames: Sequence[str | bytes],
) -> tuple[ScriptedSocket, RecordingPublisher, Any]:
    publisher = RecordingPublisher()
    edge = edge_context(publisher)
    socket = ScriptedSocket(frames)
    await asyncio.wait_for(call_stream(socket, edge).run(), 10)
    return socket, publisher, edge


@fuzz(400)
@given(st.lists(script_elements, max_size=25))
def test_any_message_sequence_ends_cleanly_and_only_a_valid_start_reaches_kafka(
    script: list[tuple[str, Any]],
) -> None:
    active_before = REGISTRY.get_sample_value("twilio_calls_active")
    frames = [_scripted(kind, value) for kind, value in script]
    socket, publisher, edge = asyncio.run(_run_script(frames))

    assert socket.close_code in (None, 1000, 1008)
    if not any(kind == "start" for kind, _ in script):
        assert publisher.log == []  # an unauthenticated stream publishes nothing at all
    assert set(publisher.frames) <= _frames_in(frames)
    assert _is_subsequence(_expected_frames(script), publisher.frames)
    events = publisher.events
    if events:  # a call that started ends once, and nothing follows its end
        assert isinstance(events[0], CallStarted) and isinstance(events[-1], CallEnded)
        assert sum(isinstance(e, CallStarted | CallEnded) for e in events) == 2
        assert isinstance(publisher.log[0], CallStarted)
    assert len(edge.registry) == 0 and len(edge.calls) == 0
    assert REGISTRY.get_sample_value("twilio_calls_active") == active_before


@fuzz(300)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300), json_values.map(json.dumps)))
def test_the_parser_returns_a_message_or_says_why_not(raw: str | bytes) -> None:
    serializer = TwilioMediaSerializer()
    try:
        parsed = serializer.parse(raw)
    except MalformedMessageError as exc:
        assert exc.kind in {"oversized", "invalid_json", "unknown_event", "invalid_fields"}
        return
    if parsed.event == "media":
        try:
            assert len(serializer.audio(parsed)) <= 8000
        except MalformedMessageError as exc:
            assert exc.kind in {"invalid_base64", "oversized"}


@fuzz(200)
@given(
    st.builds(
        _mutate,
        st.sampled_from(TEMPLATES),
        st.lists(st.integers(0, 7), min_size=1, max_size=3),
        json_values,
    )
)
def test_wrong_types_in_any_field_are_invalid_fields_never_an_exception(
    message: dict[str, Any],
) -> None:
    try:
        TwilioMediaSerializer().parse(json.dumps(message))
    except MalformedMessageError as exc:
        # invalid_json: the standard encoder writes NaN and Infinity, which JSON has not.
        assert exc.kind in {"invalid_fields", "unknown_event", "invalid_json"}


@fuzz(300)
@given(st.text(max_size=120), st.text(max_size=40), st.text(max_size=40))
def test_a_stream_token_is_accepted_or_refused_never_an_exception(
    token: str, session_id: str, call_sid: str
) -> None:
    with pytest.raises(StreamTokenError):
        TOKENS.verify(token, session_id, call_sid)


@pytest.mark.parametrize(
    "token",
    ["v1.²³.abc", "v1." + "1" * 5000 + ".abc", "v1.123.é", "v1.٣٣.abc", GOOD_TOKEN + "é"],
)
def test_tokens_with_unusual_digits_or_characters_are_refused(token: str) -> None:
    with pytest.raises(StreamTokenError):
        TOKENS.verify(token, SESSION_ID, CALL_SID)


@fuzz(200)
@given(st.text(max_size=60) | st.from_regex(r"t[0-9]{1,12}\.s[0-9]{1,12}(\.last)?", fullmatch=True))
def test_a_mark_name_is_ours_or_not_never_an_exception(name: str) -> None:
    mark = SegmentMark.parse(name)
    assert mark is None or (mark.turn_id < 10**9 and mark.segment < 10**9)


@pytest.mark.parametrize(
    "event", [[], {}, [1, 2], {"a": 1}], ids=["list", "object", "list-items", "object-items"]
)
def test_an_event_name_that_is_not_a_string_is_an_unknown_event(event: Any) -> None:
    with pytest.raises(MalformedMessageError) as error:
        TwilioMediaSerializer().parse(orjson.dumps({"event": event}))
    assert error.value.kind == "unknown_event"


async def test_a_mark_with_a_huge_turn_number_is_ignored() -> None:
    mark = {"event": "mark", "mark": {"name": "t" + "9" * 5000 + ".s0"}}
    big = {"event": "mark", "mark": {"name": "t" + "9" * 30 + ".s0.last"}}
    frames = [orjson.dumps(m).decode() for m in (CONNECTED, GOOD_START, mark, big, STOP)]
    _, publisher, _ = await _run_script(frames)
    assert [type(e) for e in publisher.events] == [CallStarted, CallEnded]


async def test_a_replayed_start_on_another_socket_is_refused_while_live_and_after() -> None:
    publisher = RecordingPublisher()
    edge = edge_context(publisher)
    good = [orjson.dumps(m).decode() for m in (CONNECTED, GOOD_START)]
    live = ScriptedSocket([*good, orjson.dumps(media(frame_for(1))).decode()], idle_after=True)
    live_task = asyncio.create_task(call_stream(live, edge).run())
    await asyncio.sleep(0.05)
    replay = ScriptedSocket([*good, orjson.dumps(media(frame_for(2))).decode()])
    await call_stream(replay, edge).run()
    assert replay.close_code == 1008
    assert edge.registry.get(SESSION_ID) is not None  # the live call keeps its socket
    live_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await live_task
    again = ScriptedSocket([*good, orjson.dumps(media(frame_for(3))).decode()])
    await call_stream(again, edge).run()
    assert again.close_code == 1008
    assert publisher.frames == [frame_for(1)]
    assert sum(isinstance(e, CallStarted) for e in publisher.events) == 1


async def test_a_replayed_start_on_another_edge_instance_is_refused() -> None:
    """A replayed webhook hands out a fresh token for the call's session; whichever
    instance a second ``start`` with it reaches, the call's one stream keeps it."""
    index = MemoryCallIndex(answered={CALL_SID: SESSION_ID})  # shared, as Redis is
    first = edge_context(RecordingPublisher(), index=index)
    second_publisher = RecordingPublisher()
    second = edge_context(second_publisher, index=index)
    replayed_token = TOKENS.issue(SESSION_ID, CALL_SID)
    live = ScriptedSocket([orjson.dumps(m).decode() for m in (CONNECTED, GOOD_START)], True)
    live_task = asyncio.create_task(call_stream(live, first).run())
    await asyncio.sleep(0.05)
    replay_start = start({"sessionId": SESSION_ID, "token": replayed_token})
    replay = ScriptedSocket([orjson.dumps(m).decode() for m in (CONNECTED, replay_start)])
    await call_stream(replay, second).run()
    assert replay.close_code == 1008
    assert second_publisher.log == [] and len(second.calls) == 0
    assert first.registry.get(SESSION_ID) is not None and live.close_code is None
    live_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await live_task
