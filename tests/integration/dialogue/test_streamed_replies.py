"""A v2 agent's reply is spoken sentence by sentence while the agent is still writing it
(the dialogue service through real Kafka and Redis, the agent a real MCP server with SSE)."""

from __future__ import annotations

import pytest
from parley_contracts import TRANSCRIPTS

from tests.integration.dialogue.harness import (
    SLOT,
    converse,
    dialogue_with_agent,
    final,
    heard_in_full,
    reply_done,
    sentences,
)
from tests.support.mcp_agents import StreamingAgent

pytestmark = pytest.mark.integration


async def test_each_sentence_is_published_while_the_agent_is_still_writing(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(pace_s=0.4)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        session_id = await harness.start_call(SLOT)
        await harness.probe.wait_for(session_id, reply_done(0))
        await heard_in_full(harness, session_id, 0)
        await harness.send(TRANSCRIPTS, final(session_id, "when do you open"))
        events = await harness.probe.wait_for(session_id, reply_done(1))
        session = await harness.session_with_turns(session_id, [1])
    turn = sentences(events, 1)
    assert [(s.index, s.text, s.is_last) for s in turn] == [
        (0, "You said when do you open.", False),
        (1, "Is there anything else?", False),
        (2, "", True),  # the result came after the last sentence: the turn ends silent
    ]
    result_returned = agent.returned_at[1]
    assert turn[0].at.timestamp() < result_returned - 0.6
    assert turn[1].at.timestamp() < result_returned
    asked = agent.requests[1]
    assert (asked["contract"], asked["turnId"], asked["speculative"]) == (2, 1, False)
    recorded = session.turns[0]
    assert recorded.agent_response == "You said when do you open. Is there anything else?"
    assert recorded.usage is not None and recorded.usage.prompt_tokens == 12
    assert recorded.tool_calls and recorded.tool_calls[0].name == "lookup"
    assert recorded.warnings is None


async def test_text_the_result_adds_is_spoken_last_and_its_hangup_taken(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(
        final="You said that is all. Is there anything else? Goodbye.", hangup=True
    )
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        session_id = await harness.start_call(SLOT)
        # Several words: a final that overtakes the greeting's playback mark interrupts the
        # greeting and is answered all the same.
        await converse(harness, session_id, ["that is all"])
        events = harness.probe.of(session_id)
    turn = sentences(events, 1)
    assert [s.text for s in turn] == [
        "You said that is all.",
        "Is there anything else?",
        "Goodbye.",
    ]
    assert [(s.is_last, s.hangup_after) for s in turn] == [
        (False, False),
        (False, False),
        (True, True),
    ]


async def test_a_result_that_does_not_continue_the_stream_leaves_what_was_said(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(final="Something else entirely.")
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        session_id = await harness.start_call(SLOT)
        await converse(harness, session_id, ["hello there"])
        session = await harness.session_with_turns(session_id, [1])
    said = [s.text for s in sentences(harness.probe.of(session_id), 1)]
    assert said == ["You said hello there.", "Is there anything else?", ""]
    recorded = session.turns[0]
    assert recorded.agent_response == "You said hello there. Is there anything else?"
    assert recorded.warnings and any("did not continue" in w for w in recorded.warnings)


async def test_a_slow_first_sentence_gets_the_filler_first(stack_env: dict[str, str]) -> None:
    agent = StreamingAgent(first_piece_after_s=0.8)
    async with dialogue_with_agent(
        stack_env, agent, agent_timeout_s=2.0, budget_agent_ms=300
    ) as harness:
        session_id = await harness.start_call(SLOT)
        events = await harness.probe.wait_for(session_id, reply_done(0))
    greeting = sentences(events, 0)
    assert [s.text for s in greeting][:2] == ["One moment.", "You said nothing."]
    assert [s.index for s in greeting] == list(range(len(greeting)))
