"""Only streams the edge itself issued get through; anything else is refused before Kafka."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from parley_contracts import CallEnded, CallStarted
from parley_simulator.webhook import sign
from websockets.exceptions import ConnectionClosed

from tests.integration.edge.harness import AUTH_TOKEN, Edge, KafkaWatch, TwilioStream

pytestmark = pytest.mark.integration


async def _refused(stream: TwilioStream) -> int:
    """Sends audio until the edge closes the socket; returns the close code."""
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(50):
            await stream.media()
            await asyncio.sleep(0.02)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda p: p | {"token": p["token"][:-4] + "0000"}, id="altered-token"),
        pytest.param(lambda p: {"sessionId": p["sessionId"]}, id="no-token"),
        pytest.param(lambda p: {}, id="no-parameters"),
    ],
)
async def test_a_forged_stream_is_closed_before_anything_reaches_kafka(
    edges: tuple[Edge, Edge], kafka: KafkaWatch, forge: object
) -> None:
    stream = TwilioStream(edges[0])
    instructions = await stream.answer()
    await stream.open()
    await stream.start(forge(instructions.parameters))  # type: ignore[operator]
    assert await _refused(stream) == 1008
    await asyncio.sleep(1.0)  # anything the edge had published would have arrived by now
    assert not kafka.any_for(stream.session_id)


async def test_a_token_issued_for_another_call_is_refused(
    edges: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    stolen = TwilioStream(edges[0])
    await stolen.answer()
    thief = TwilioStream(edges[0])
    await thief.answer()
    await thief.open()
    assert stolen.instructions is not None
    await thief.start(stolen.instructions.parameters)
    assert await _refused(thief) == 1008
    await asyncio.sleep(1.0)
    assert not kafka.any_for(stolen.session_id)


async def test_a_wrong_twilio_signature_on_the_upgrade_is_refused(
    edges: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    stream = TwilioStream(edges[0])
    instructions = await stream.answer()
    await stream.open(headers={"X-Twilio-Signature": sign("not-the-token", instructions.url, {})})
    assert await _refused(stream) == 1008  # closed before it even starts
    await asyncio.sleep(1.0)
    assert not kafka.any_for(stream.session_id)


async def test_the_right_twilio_signature_on_the_upgrade_is_accepted(
    edges: tuple[Edge, Edge], kafka: KafkaWatch
) -> None:
    stream = TwilioStream(edges[0])
    instructions = await stream.answer()
    await stream.open(headers={"X-Twilio-Signature": sign(AUTH_TOKEN, instructions.url, {})})
    await stream.start()
    assert isinstance(await kafka.wait_for(stream.session_id, CallStarted), CallStarted)
    await stream.stop()
    ended = await kafka.wait_for(stream.session_id, CallEnded)
    assert isinstance(ended, CallEnded) and ended.reason == "stream_stopped"


async def test_a_webhook_with_a_bad_signature_gets_403(edges: tuple[Edge, Edge]) -> None:
    url = edges[0].url + "/twilio/voice"
    params = {"CallSid": "CA" + "d" * 32, "From": "+15550001111"}
    async with httpx.AsyncClient() as http:
        forged = await http.post(url, data=params, headers={"X-Twilio-Signature": "Zm9yZ2Vk"})
        unsigned = await http.post(url, data=params)
    assert (forged.status_code, unsigned.status_code) == (403, 403)
