"""A media socket that never starts a call is closed at the start deadline; one that
started is not."""

from __future__ import annotations

import asyncio
import time

import orjson

from tests.unit.edge import scripted_socket as fakes
from tests.unit.edge.scripted_socket import ScriptedSocket, call_stream, edge_context

CONNECTED = orjson.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}).decode()


async def _closed_within(socket: ScriptedSocket, timeout_s: float) -> float:
    edge = edge_context(fakes.RecordingPublisher(), start_timeout_s=0.3)
    began = time.monotonic()
    await asyncio.wait_for(call_stream(socket, edge).run(), timeout_s)
    assert socket.close_code == 1008
    assert len(edge.calls) == 0 and len(edge.registry) == 0
    return time.monotonic() - began


async def test_a_socket_that_sends_nothing_is_closed_at_the_start_deadline() -> None:
    assert 0.25 < await _closed_within(ScriptedSocket([], idle_after=True), 2) < 1.0


class DribblingSocket(ScriptedSocket):
    """Sends ``connected`` (or any message but a valid start) every 20 ms, for ever."""

    async def receive(self) -> dict[str, object]:
        if self.close_code is not None:
            return {"type": "websocket.disconnect", "code": self.close_code}
        await asyncio.sleep(0.02)
        return {"type": "websocket.receive", "text": CONNECTED}


async def test_a_socket_that_dribbles_messages_but_never_starts_is_closed_too() -> None:
    assert 0.25 < await _closed_within(DribblingSocket([]), 2) < 1.0


async def test_a_started_call_is_not_held_to_the_start_deadline() -> None:
    token = fakes.TOKENS.issue(fakes.SESSION_ID, fakes.CALL_SID)
    start = {
        "event": "start",
        "streamSid": fakes.STREAM_SID,
        "start": {
            "streamSid": fakes.STREAM_SID,
            "callSid": fakes.CALL_SID,
            "customParameters": {"sessionId": fakes.SESSION_ID, "token": token},
        },
    }
    socket = ScriptedSocket([CONNECTED, orjson.dumps(start).decode()], idle_after=True)
    edge = edge_context(fakes.RecordingPublisher(), start_timeout_s=0.1)
    task = asyncio.create_task(call_stream(socket, edge).run())
    await asyncio.sleep(0.4)
    assert not task.done() and socket.close_code is None
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(edge.registry) == 0
