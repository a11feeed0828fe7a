"""Media Streams against real edge processes: bad input, DTMF, marks, clear, call control."""

from __future__ import annotations

import asyncio
import base64

import httpx
import orjson
import pytest
from parley_bus import BusPublisher
from parley_contracts import (
    CONTROL,
    CallEnded,
    CallStarted,
    ClearPlayback,
    DtmfPressed,
    HangUp,
    PlaybackMarked,
    TransferCall,
)

from tests.fakes.twilio_rest import FakeTwilioRest
from tests.integration.edge.harness import Edge, KafkaWatch, TwilioStream, agent_says

pytestmark = pytest.mark.integration

GOOD_FRAME = base64.b64encode(b"\xff" * 160).decode()
MALFORMED: dict[str, str | bytes] = {
    "invalid_json": "{not json",
    "not_an_object": "[1, 2, 3]",
    "unknown_event": '{"event": "dance"}',
    "invalid_base64": orjson.dumps(
        {"event": "media", "media": {"chunk": "1", "timestamp": "0", "payload": "!!!"}}
    ).decode(),
    "missing_fields": '{"event": "media", "media": {"payload": "/w=="}}',
    "oversized_text": '{"event": "media", "pad": "' + "x" * 70_000 + '"}',
    "oversized_frame": orjson.dumps(
        {
            "event": "media",
            "media": {
                "chunk": "1",
                "timestamp": "0",
                "payload": base64.b64encode(bytes(9000)).decode(),
            },
        }
    ).decode(),
    "bad_dtmf": '{"event": "dtmf", "dtmf": {"digit": "Z"}}',
    "binary": b"\x00\x01\x02",
}


async def agent_frames(
    replies: BusPublisher, slot: int, session_id: str, frames: list[bytes]
) -> None:
    await agent_says(replies, slot, session_id, frames, end_segment=True)


async def test_a_thousand_malformed_messages_leave_the_call_working(
    edges: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    edge = edges[0]
    total_before = await _malformed_total(edge)
    stream = TwilioStream(edge)
    await stream.answer()
    await stream.open()
    for _ in range(10):
        await stream.media()  # before start
    await stream.start()
    kinds = list(MALFORMED.values())
    good = 0
    for n in range(1000):
        bad = kinds[n % len(kinds)]
        assert stream.ws is not None
        await stream.ws.send(bad)
        if n % 10 == 0:
            await stream.media()
            good += 1
    await stream.send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "7"}})
    dtmf = await kafka.wait_for(stream.session_id, DtmfPressed)
    assert isinstance(dtmf, DtmfPressed) and dtmf.digit == "7"
    async with asyncio.timeout(10):
        while len(kafka.audio_frames(stream.session_id)) < good:
            await asyncio.sleep(0.05)
    assert len(kafka.audio_frames(stream.session_id)) == good
    assert await _malformed_total(edge) - total_before >= 1010
    async with httpx.AsyncClient() as http:
        assert (await http.get(edge.url + "/healthz")).status_code == 200
    await stream.stop()
    ended = await kafka.wait_for(stream.session_id, CallEnded)
    assert isinstance(ended, CallEnded) and ended.reason == "stream_stopped"
    logged = [
        line
        for line in edge.fleet.processes["edge-0"].log_lines()
        if '"twilio.malformed"' in line and stream.session_id in line
    ]
    # Once per kind per call, not once per message.
    assert 1 <= len(logged) <= len(MALFORMED)


async def _malformed_total(edge: Edge) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(edge.url + "/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("twilio_malformed_messages_total{")
    )


async def test_dtmf_digits_reach_kafka_in_order(
    edges: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    stream = TwilioStream(edges[1])
    await stream.call()
    for digit in "12#*":
        await stream.send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": digit}})
    async with asyncio.timeout(10):
        while len([e for e in kafka.events(stream.session_id) if isinstance(e, DtmfPressed)]) < 4:
            await asyncio.sleep(0.05)
    digits = [e for e in kafka.events(stream.session_id) if isinstance(e, DtmfPressed)]
    assert [d.digit for d in digits] == list("12#*")
    assert all(d.edge_slot == 1 for d in digits)
    await stream.stop()


async def test_a_mark_follows_its_segment_and_comes_back_as_playback_progress(
    edges: tuple[Edge, Edge], kafka: KafkaWatch, replies: BusPublisher
) -> None:
    stream = TwilioStream(edges[0])
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    await agent_frames(replies, 0, stream.session_id, [bytes([n]) * 160 for n in range(3)])
    received = [await stream.receive() for _ in range(4)]
    assert [m["event"] for m in received] == ["media", "media", "media", "mark"]
    assert [base64.b64decode(m["media"]["payload"])[0] for m in received[:3]] == [0, 1, 2]
    assert all(m["streamSid"] == stream.stream_sid for m in received)
    await stream.send(
        {"event": "mark", "streamSid": stream.stream_sid, "mark": received[3]["mark"]}
    )
    marked = await kafka.wait_for(stream.session_id, PlaybackMarked)
    assert isinstance(marked, PlaybackMarked)
    assert (marked.turn_id, marked.segment, marked.last_segment) == (1, 0, True)
    await stream.stop()


async def test_clear_stops_playback_within_one_frame(
    edges: tuple[Edge, Edge], kafka: KafkaWatch, replies: BusPublisher
) -> None:
    stream = TwilioStream(edges[0])
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    await agent_frames(replies, 0, stream.session_id, [b"\x55" * 160] * 150)  # 3 s of speech
    for _ in range(5):
        assert (await stream.receive())["event"] == "media"
    await replies.event(CONTROL, ClearPlayback(session_id=stream.session_id, turn_id=2), 0)
    before_clear = 5
    while (message := await stream.receive())["event"] != "clear":
        assert message["event"] in ("media", "mark")
        before_clear += message["event"] == "media"
    after_clear = 0
    with pytest.raises(TimeoutError):
        while True:
            message = await stream.receive(timeout_s=0.5)
            after_clear += message["event"] == "media"
    assert after_clear == 0
    assert before_clear < 150
    await stream.stop()


async def test_a_dropped_socket_ends_the_call_as_transport_lost(
    edges: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    stream = TwilioStream(edges[1])
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    assert stream.ws is not None
    stream.ws.transport.abort()
    ended = await kafka.wait_for(stream.session_id, CallEnded)
    assert isinstance(ended, CallEnded) and ended.reason == "transport_lost"


@pytest.mark.parametrize("announcement", ["", "Connecting you to billing."])
async def test_transfer_redirects_the_live_call_through_the_rest_api(
    edges: tuple[Edge, Edge],
    kafka: KafkaWatch,
    replies: BusPublisher,
    twilio_api: FakeTwilioRest,
    announcement: str,
) -> None:
    stream = TwilioStream(edges[1])
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    transfer = TransferCall(
        session_id=stream.session_id, target="+15557654321", announcement=announcement
    )
    await replies.event(CONTROL, transfer, 1)
    async with asyncio.timeout(10):
        while not twilio_api.updates_for(stream.call_sid):
            await asyncio.sleep(0.05)
    [update] = twilio_api.updates_for(stream.call_sid)
    say = f"<Say>{announcement}</Say>" if announcement else ""
    assert update.form == {
        "Twiml": f'<?xml version="1.0" encoding="UTF-8"?><Response>{say}'
        "<Dial>+15557654321</Dial></Response>"
    }
    assert update.account_sid == stream.account_sid
    await stream.stop()  # Twilio leaves <Connect> for the new TwiML: the stream stops
    ended = await kafka.wait_for(stream.session_id, CallEnded)
    assert isinstance(ended, CallEnded) and ended.reason == "transferred"


async def test_hang_up_completes_the_call_and_closes_the_stream(
    edges: tuple[Edge, Edge],
    kafka: KafkaWatch,
    replies: BusPublisher,
    twilio_api: FakeTwilioRest,
) -> None:
    stream = TwilioStream(edges[0])
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    await replies.event(CONTROL, HangUp(session_id=stream.session_id, reason="goodbye"), 0)
    ended = await kafka.wait_for(stream.session_id, CallEnded)
    assert isinstance(ended, CallEnded) and ended.reason == "agent_hangup"
    assert [u.form for u in twilio_api.updates_for(stream.call_sid)] == [{"Status": "completed"}]
    assert stream.ws is not None
    await asyncio.wait_for(stream.ws.wait_closed(), 5)
    assert stream.ws.close_code == 1000
