"""One signed voice webhook posted again and again, to two real edge processes sharing the
local Redis: it never fills the edge, answers with the call's one session on either
instance, never opens a second stream for the call, and hangs up once the call is over;
an answered call whose stream never connects is ended and gives its place back."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest
from parley_contracts import CallEnded, CallStarted
from parley_simulator.webhook import parse_connect_twiml, post_signed
from websockets.exceptions import ConnectionClosed

from tests.fakes.twilio_rest import FakeTwilioRest
from tests.integration.edge.harness import AUTH_TOKEN, Edge, KafkaWatch, TwilioStream, running_edge

pytestmark = pytest.mark.integration

# Long enough for the replays below to arrive while their call is still pending.
PENDING_TIMEOUT_S = 5.0


@pytest.fixture(scope="module")
def pair(
    stack_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    twilio_api: FakeTwilioRest,
) -> Iterator[tuple[Edge, Edge]]:
    """Two instances (slots 3 and 4) of two places each."""
    logs = tmp_path_factory.mktemp("replay-edges")
    settings = {
        "twilio_api_url": twilio_api.url,
        "max_concurrent_calls": "2",
        "pending_call_timeout_s": str(PENDING_TIMEOUT_S),
    }
    with (
        running_edge(stack_env, logs, 3, **settings) as first,
        running_edge(stack_env, logs, 4, **settings) as second,
    ):
        yield first, second


async def voice_answers(edge: Edge, call_sid: str, times: int = 1) -> list[ET.Element]:
    """The TwiML ``edge`` answers the call's voice webhook with, posted ``times`` times
    (ten at once)."""
    params = {"CallSid": call_sid, "AccountSid": "AC" + "c" * 32, "From": "+1555"}
    gate = asyncio.Semaphore(10)
    async with httpx.AsyncClient() as http:

        async def post() -> ET.Element:
            async with gate:
                response = await post_signed(http, edge.url + "/twilio/voice", AUTH_TOKEN, params)
            assert response.status_code == 200, response.text
            return ET.fromstring(response.text)

        return list(await asyncio.gather(*(post() for _ in range(times))))


async def voice_answer(edge: Edge, call_sid: str) -> ET.Element:
    (answer,) = await voice_answers(edge, call_sid)
    return answer


def session_of(answer: ET.Element) -> str:
    return parse_connect_twiml(ET.tostring(answer, encoding="unicode")).parameters["sessionId"]


def verbs(answer: ET.Element) -> list[str]:
    return [child.tag for child in answer]


async def refused_with(stream: TwilioStream) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await stream.receive(timeout_s=5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_one_webhook_posted_210_times_fills_no_places(
    pair: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    first, second = pair
    replayed = TwilioStream(first)
    await replayed.answer()
    counted_before = await first.metric("twilio_webhooks_replayed_total", call_state="pending")
    answers = await voice_answers(first, replayed.call_sid, 200)
    answers += await voice_answers(second, replayed.call_sid, 9)
    assert {session_of(a) for a in answers} == {replayed.session_id}
    counted = await first.metric("twilio_webhooks_replayed_total", call_state="pending")
    assert counted - counted_before == 200

    # The replayed call holds one of the first edge's two places: a real caller gets in.
    caller = TwilioStream(first)
    await caller.call()
    assert isinstance(await kafka.wait_for(caller.session_id, CallStarted), CallStarted)
    await caller.stop()
    await kafka.wait_for(caller.session_id, CallEnded)


async def test_a_call_whose_stream_never_connects_is_ended_and_frees_its_place(
    pair: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    _, edge = pair  # holds no calls: the replays above reserved no place there
    answered, other = TwilioStream(edge), TwilioStream(edge)
    await answered.answer()
    await other.answer()
    assert verbs(await voice_answer(edge, "CA" + "e" * 32)) == ["Say", "Hangup"]  # full
    for pending in (answered, other):
        ended = await kafka.wait_for(pending.session_id, CallEnded, PENDING_TIMEOUT_S + 10)
        assert isinstance(ended, CallEnded) and ended.reason == "stream_not_connected"

    late = TwilioStream(edge)
    await late.answer()  # both places are free again
    assert verbs(await voice_answer(edge, answered.call_sid)) == ["Hangup"]
    await answered.open()  # Twilio connecting long after the timeout: refused
    await answered.start()
    assert await refused_with(answered) == 1008
    assert not any(isinstance(e, CallStarted) for e in kafka.events(answered.session_id))
    assert await late.status_callback("canceled") == 204


async def test_a_streaming_call_gets_no_second_stream_and_hangs_up_once_over(
    pair: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    first, second = pair
    call = TwilioStream(first)
    await call.call()
    await kafka.wait_for(call.session_id, CallStarted)

    # A replay on the other instance gets the same session and a token of its own...
    replay = TwilioStream(second, call_sid=call.call_sid)
    await replay.answer()
    assert replay.session_id == call.session_id
    await replay.open()
    await replay.start()
    # ...but the call's one stream is already open: the second is refused.
    assert await refused_with(replay) == 1008
    assert await second.metric("twilio_streams_rejected_total", reason="replayed") >= 1
    await call.media()
    await call.stop()
    await kafka.wait_for(call.session_id, CallEnded)
    await asyncio.sleep(0.5)  # anything a second stream had published would be here
    assert sum(isinstance(e, CallStarted) for e in kafka.events(call.session_id)) == 1
    assert len(kafka.audio_frames(call.session_id)) == 1

    for edge in pair:
        assert verbs(await voice_answer(edge, call.call_sid)) == ["Hangup"]
    assert await first.metric("twilio_webhooks_replayed_total", call_state="ended") >= 1
