"""`parley call` against a real edge that goes away mid-call: the simulator still
reports the call, saying where it was cut and why, as soon as the stream is gone
(not after the reply timeout), and an edge out of reach for the status callback is
noted, not raised."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_bus import BusPublisher
from parley_contracts import CONTROL, HangUp
from parley_simulator import CallerTurn, CallOptions, CallReport, place_call

from tests.fakes.twilio_rest import FakeTwilioRest
from tests.integration.edge.harness import AUTH_TOKEN, Edge, running_edge

pytestmark = pytest.mark.integration

SLOT = 6
SILENCE = [b"\xff" * 160] * 50  # one second of caller audio
# Far longer than the test may take: a caller that waits for replies after the stream
# closed would time the test out instead of reporting the cut.
REPLY_TIMEOUT_S = 3600.0
REPORT_WITHIN_S = 60.0


@pytest.fixture
def edge(stack_env: dict[str, str], tmp_path: Path, twilio_api: FakeTwilioRest) -> Iterator[Edge]:
    with running_edge(stack_env, tmp_path, SLOT, twilio_api_url=twilio_api.url) as edge:
        yield edge


async def call(edge: Edge, *turns: CallerTurn) -> CallReport:
    options = CallOptions(
        turns=list(turns),
        edge_url=edge.url,
        janitor_url="http://127.0.0.1:9",  # no janitor: the session record is skipped
        auth_token=AUTH_TOKEN,
        greeting_timeout_s=0.5,
        reply_timeout_s=REPLY_TIMEOUT_S,
    )
    return await asyncio.wait_for(place_call(options), REPORT_WITHIN_S)


async def test_an_edge_killed_mid_call_leaves_a_report_of_the_cut(edge: Edge) -> None:
    async def kill_edge(_: str) -> None:
        edge.fleet.kill(f"edge-{SLOT}")

    report = await call(
        edge,
        CallerTurn(script="hello", frames=SILENCE, before_speaking=kill_edge),
        CallerTurn(script="never said", frames=SILENCE),
    )

    assert report.ended_by == "edge"
    assert report.cut is not None
    assert report.cut.during == "turn 1, while the caller was speaking"
    assert report.cut.reason == "the connection to the edge was lost (no close frame)"
    assert [t.script for t in report.turns] == ["hello"]
    assert report.status_callback_error is not None
    assert "ConnectError" in report.status_callback_error
    assert report.to_json()["cut"]["during"] == "turn 1, while the caller was speaking"


async def test_an_edge_that_closes_the_stream_mid_call_cuts_it(
    edge: Edge, replies: BusPublisher
) -> None:
    async def hang_up(session_id: str) -> None:
        await replies.event(CONTROL, HangUp(session_id=session_id, reason="maintenance"), SLOT)

    report = await call(edge, CallerTurn(script="hello", frames=SILENCE, before_speaking=hang_up))

    assert report.ended_by == "edge"
    assert report.cut is not None
    assert report.cut.during.startswith("turn 1, ")
    assert report.cut.reason == "the edge closed the media stream (code 1000: maintenance)"
    assert report.status_callback_error is None  # the edge is still there
