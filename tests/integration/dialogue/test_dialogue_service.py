"""The dialogue service through real Kafka and Redis, with real MCP agents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from parley_contracts import (
    CALL_EVENTS,
    TRANSCRIPTS,
    ClearPlayback,
    DtmfPressed,
    ReplyCancelled,
)
from parley_devstack.ports import free_port

from tests.integration.dialogue.harness import (
    SLOT,
    converse,
    dialogue_with_agent,
    final,
    heard_in_full,
    interim,
    reply_done,
    running_dialogue,
    sentences,
    spoken,
)
from tests.support.mcp_agents import EchoAgent

pytestmark = pytest.mark.integration


async def test_context_reaches_the_agent_in_order_and_is_windowed(
    stack_env: dict[str, str],
) -> None:
    echo = EchoAgent()
    async with dialogue_with_agent(stack_env, echo, history_max_turns=2) as harness:
        session_id = await harness.start_call(SLOT)
        await converse(harness, session_id, ["one", "two", "three", "four"])
        session = await harness.session_with_turns(session_id, [1, 2, 3, 4])
    mine = [r for r in echo.requests if r["sessionId"] == session_id]
    assert [r["event"] for r in mine] == [
        "call_started",
        "utterance",
        "utterance",
        "utterance",
        "utterance",
    ]
    assert [c["text"] for c in mine[2]["context"]] == ["one", "You said one."]
    # Four turns in, only the newest two are sent.
    assert [c["text"] for c in mine[4]["context"]] == [
        "two",
        "You said two.",
        "three",
        "You said three.",
    ]
    assert session is not None
    assert [t.turn_id for t in session.turns] == [1, 2, 3, 4]
    assert session.turns[0].tool_calls and session.turns[0].tool_calls[0].name == "lookup"


async def test_markdown_reply_is_spoken_clean_and_warnings_recorded(
    stack_env: dict[str, str],
) -> None:
    echo = EchoAgent(
        answer="## Hours\n**Monday**: 9am to 5pm. See [our site](https://dental.example) "
        "or mail desk@dental.example."
    )
    async with dialogue_with_agent(stack_env, echo) as harness:
        session_id = await harness.start_call(SLOT)
        await converse(harness, session_id, ["when are you open"])
        session = await harness.session_with_turns(session_id, [1])
    said = spoken(harness.probe.of(session_id), 1)
    assert said == "Hours. Monday: 9am to 5pm. See our site or mail an email address."
    assert session is not None
    assert session.turns[0].agent_response == said
    assert session.turns[0].warnings and "markdown removed" in session.turns[0].warnings


async def test_slow_agent_gets_a_filler_then_the_fallback(stack_env: dict[str, str]) -> None:
    echo = EchoAgent(delay_s=3.0)
    async with dialogue_with_agent(
        stack_env, echo, agent_timeout_s=1.0, budget_agent_ms=300
    ) as harness:
        session_id = await harness.start_call(SLOT)
        events = await harness.probe.wait_for(session_id, reply_done(0))
    greeting = sentences(events, 0)
    assert greeting[0].text == "One moment." and greeting[0].index == 0
    assert "trouble connecting" in " ".join(s.text for s in greeting[1:])
    assert [s.index for s in greeting] == list(range(len(greeting)))


async def test_agent_tool_error_is_answered_with_the_fallback(stack_env: dict[str, str]) -> None:
    async with dialogue_with_agent(stack_env, EchoAgent(broken=True)) as harness:
        session_id = await harness.start_call(SLOT)
        events = await harness.probe.wait_for(session_id, reply_done(0))
    assert "trouble connecting" in spoken(events, 0)


async def test_unreachable_agent_opens_the_circuit_and_callers_still_hear_the_fallback(
    stack_env: dict[str, str],
) -> None:
    dead_agent = f"http://127.0.0.1:{free_port()}/mcp"
    async with running_dialogue(
        stack_env, agent_url=dead_agent, agent_circuit_failures=1, agent_circuit_reset_s=60
    ) as harness:
        first = await harness.start_call(SLOT)
        second = await harness.start_call(SLOT)
        for session_id in (first, second):
            events = await harness.probe.wait_for(session_id, reply_done(0))
            assert "trouble connecting" in spoken(events, 0)


async def test_caller_interrupts_a_reply(stack_env: dict[str, str]) -> None:
    echo = EchoAgent()
    async with dialogue_with_agent(stack_env, echo) as harness:
        session_id = await harness.start_call(SLOT)
        await harness.probe.wait_for(session_id, reply_done(0))
        await harness.send(TRANSCRIPTS, final(session_id, "tell me everything"))
        await harness.probe.wait_for(session_id, reply_done(1))
        # Turn 1 is playing (no mark back yet); a backchannel does not interrupt ...
        await harness.send(TRANSCRIPTS, final(session_id, "uh-huh"))
        # ... but a real utterance does.
        await harness.send(TRANSCRIPTS, interim(session_id, "wait a second"))
        events = await harness.probe.wait_for(
            session_id, lambda ev: any(isinstance(e, ReplyCancelled) for e in ev)
        )
        await harness.send(TRANSCRIPTS, final(session_id, "wait a second"))
        events = await harness.probe.wait_for(session_id, reply_done(2))
        session = await harness.session_with_turns(session_id, [1, 2])
    # Nobody heard the greeting to the end either (no marks came back), so the first
    # utterance cut it; the interruption then drops everything up to turn 1.
    clears = [e for e in events if isinstance(e, ClearPlayback)]
    assert [c.turn_id for c in clears] == [1, 2]
    assert [e.turn_id for e in events if isinstance(e, ReplyCancelled)] == [0, 1]
    assert spoken(events, 2) == "You said wait a second."
    mine = [r["utterance"] for r in echo.requests if r["sessionId"] == session_id]
    assert "uh-huh" not in mine
    assert session is not None
    by_id = {t.turn_id: t for t in session.turns}
    assert sorted(by_id) == [1, 2]
    assert by_id[1].interrupted is True
    assert by_id[2].interrupted is None


async def test_key_presses_reach_the_agent_as_dtmf(stack_env: dict[str, str]) -> None:
    echo = EchoAgent()
    async with dialogue_with_agent(stack_env, echo) as harness:
        session_id = await harness.start_call(SLOT)
        await harness.probe.wait_for(session_id, reply_done(0))
        await heard_in_full(harness, session_id, 0)
        await harness.send(
            CALL_EVENTS, DtmfPressed(session_id=session_id, edge_slot=SLOT, digit="7")
        )
        events = await harness.probe.wait_for(session_id, reply_done(1))
    assert spoken(events, 1) == "You said 7."
    dtmf = [r for r in echo.requests if r["sessionId"] == session_id and r["event"] == "dtmf"]
    assert [r["dtmf"] for r in dtmf] == ["7"]


async def test_a_stale_final_transcript_is_not_answered(stack_env: dict[str, str]) -> None:
    echo = EchoAgent()
    async with dialogue_with_agent(stack_env, echo, max_event_age_s=5) as harness:
        session_id = await harness.start_call(SLOT)
        await harness.probe.wait_for(session_id, reply_done(0))
        await heard_in_full(harness, session_id, 0)
        old = final(session_id, "an old utterance").model_copy(
            update={"at": datetime.now(UTC) - timedelta(seconds=30)}
        )
        await harness.send(TRANSCRIPTS, old)
        await harness.send(TRANSCRIPTS, final(session_id, "a new utterance"))
        events = await harness.probe.wait_for(session_id, reply_done(1))
    assert spoken(events, 1) == "You said a new utterance."
    assert "an old utterance" not in [r["utterance"] for r in echo.requests]
