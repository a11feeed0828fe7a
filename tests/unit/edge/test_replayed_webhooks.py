"""A signed voice webhook posted again and again (Twilio's signatures carry no timestamp)
answers with the call's one session and takes no second place at the edge; once the call
is over, a replay is answered with a hang-up; replays are counted."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from parley_contracts import CallEnded
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger
from parley_edge.carriers.twilio.signature import TwilioSignatureVerifier
from parley_edge.carriers.twilio.webhooks import webhook_router
from parley_edge.stream_token import StreamTokens
from prometheus_client import REGISTRY
from twilio.request_validator import RequestValidator

from tests.support.memory_call_index import MemoryCallIndex
from tests.unit.edge.scripted_socket import RecordingPublisher

AUTH_TOKEN = "replay-test-token"
PUBLIC = "https://voice.example.com"
TOKENS = StreamTokens("replay-stream-secret", ttl_s=60)


@dataclass
class Edge:
    http: httpx.AsyncClient
    calls: CallLedger
    publisher: RecordingPublisher

    async def post(self, path: str, form: dict[str, str]) -> httpx.Response:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, form)
        return await self.http.post(path, data=form, headers={"X-Twilio-Signature": signature})

    async def voice(self, call_sid: str) -> ET.Element:
        response = await self.post("/twilio/voice", {"CallSid": call_sid, "From": "+15550001111"})
        assert response.status_code == 200, response.text
        return ET.fromstring(response.text)

    async def status(self, call_sid: str, status: str) -> None:
        form = {"CallSid": call_sid, "CallStatus": status}
        assert (await self.post("/twilio/status", form)).status_code == 204


@asynccontextmanager
async def edge(max_calls: int, pending_timeout_s: float = 60) -> AsyncIterator[Edge]:
    publisher = RecordingPublisher()
    calls = CallLedger(
        CallAdmission(max_calls), MemoryCallIndex(pending_timeout_s), publisher, pending_timeout_s
    )
    app = FastAPI()
    app.include_router(
        webhook_router(TwilioSignatureVerifier(AUTH_TOKEN, PUBLIC), calls, PUBLIC, TOKENS)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as http:
        yield Edge(http, calls, publisher)
    await calls.close()


def call_sid(n: int) -> str:
    return f"CA{n:032x}"


def stream_parameters(answer: ET.Element) -> dict[str, str]:
    stream = answer.find("./Connect/Stream")
    assert stream is not None, ET.tostring(answer)
    return {p.get("name", ""): p.get("value", "") for p in stream.iter("Parameter")}


def ended(publisher: RecordingPublisher) -> list[tuple[str, str]]:
    """Every event published, each a ``call.ended``: (session, reason)."""
    assert all(isinstance(e, CallEnded) for e in publisher.events)
    return [(e.session_id, e.reason) for e in publisher.events if isinstance(e, CallEnded)]


def replays_counted(state: str) -> float:
    value = REGISTRY.get_sample_value("twilio_webhooks_replayed_total", {"call_state": state})
    return value or 0.0


async def test_a_replayed_webhook_answers_with_the_same_session_and_fills_no_places() -> None:
    async with edge(max_calls=3) as replayed:
        counted_before = replays_counted("pending")
        answers = [stream_parameters(await replayed.voice(call_sid(1))) for _ in range(210)]
        session_id = answers[0]["sessionId"]
        assert {a["sessionId"] for a in answers} == {session_id}
        for answer in answers:  # each answer's token is good for that one session
            TOKENS.verify(answer["token"], session_id, call_sid(1))
        assert len(replayed.calls) == 1
        assert replays_counted("pending") - counted_before == 209
        # Real callers still get in, up to the limit of distinct calls.
        others = [stream_parameters(await replayed.voice(call_sid(n)))["sessionId"] for n in (2, 3)]
        assert len({session_id, *others}) == 3
        refused = await replayed.voice(call_sid(4))
        assert [child.tag for child in refused] == ["Say", "Hangup"]


async def test_a_replay_after_the_call_ended_gets_a_hang_up_and_no_new_session() -> None:
    async with edge(max_calls=2) as replayed:
        session_id = stream_parameters(await replayed.voice(call_sid(1)))["sessionId"]
        await replayed.status(call_sid(1), "completed")
        counted_before = replays_counted("ended")
        for _ in range(5):
            answer = await replayed.voice(call_sid(1))
            assert [child.tag for child in answer] == ["Hangup"]
        assert replays_counted("ended") - counted_before == 5
        assert len(replayed.calls) == 0
        assert ended(replayed.publisher) == [(session_id, "completed")]


async def test_a_replay_after_the_stream_ended_gets_a_hang_up() -> None:
    async with edge(max_calls=2) as replayed:
        session_id = stream_parameters(await replayed.voice(call_sid(1)))["sessionId"]
        await replayed.calls.start_stream(call_sid(1), session_id)
        streaming = stream_parameters(await replayed.voice(call_sid(1)))
        assert streaming["sessionId"] == session_id  # same session; its stream is taken
        await replayed.calls.stream_ended(call_sid(1), session_id)
        assert [child.tag for child in await replayed.voice(call_sid(1))] == ["Hangup"]


async def test_a_call_whose_stream_never_connects_frees_its_place_quickly() -> None:
    async with edge(max_calls=1, pending_timeout_s=0.2) as replayed:
        session_id = stream_parameters(await replayed.voice(call_sid(1)))["sessionId"]
        assert (await replayed.voice(call_sid(2))).find("./Connect") is None  # full
        async with asyncio.timeout(5):
            while not replayed.publisher.events:
                await asyncio.sleep(0.02)
        assert ended(replayed.publisher) == [(session_id, "stream_not_connected")]
        stream_parameters(await replayed.voice(call_sid(3)))  # its place is free again
        assert [child.tag for child in await replayed.voice(call_sid(1))] == ["Hangup"]
