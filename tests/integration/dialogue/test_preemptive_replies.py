"""Preemptive generation: a v2 agent's reply started while the caller pauses is spoken
only if the final transcript has the words it was started on; otherwise it is cancelled
and nothing of it is heard or recorded (the dialogue service through real Kafka and
Redis, the agents real MCP servers)."""

from __future__ import annotations

import pytest
from parley_contracts import TRANSCRIPTS, Event, ReplySentence, SpeechStarted
from parley_sessions import Session

from tests.integration.dialogue.harness import (
    SLOT,
    DialogueHarness,
    dialogue_with_agent,
    final,
    heard_in_full,
    interim,
    reply_done,
    sentences,
    until,
)
from tests.support.mcp_agents import EchoAgent, StreamingAgent

pytestmark = pytest.mark.integration


async def greeted(harness: DialogueHarness) -> str:
    session_id = await harness.start_call(SLOT)
    await harness.probe.wait_for(session_id, reply_done(0))
    await heard_in_full(harness, session_id, 0)
    return session_id


async def pause_after(harness: DialogueHarness, session_id: str, words: str) -> None:
    """The caller says `words` and stops: two interims with the same words."""
    await harness.send(TRANSCRIPTS, interim(session_id, words, duration_ms=600))
    await harness.send(TRANSCRIPTS, interim(session_id, words, duration_ms=900))


async def turn_after_a_pause(
    harness: DialogueHarness, agent: StreamingAgent, paused_on: str, said: str
) -> tuple[list[Event], Session]:
    """A call whose caller pauses after `paused_on` (the agent is asked early), then
    ends the turn having `said`; the turn's events and the session once it is recorded."""
    session_id = await greeted(harness)
    await pause_after(harness, session_id, paused_on)
    await until(lambda: any(r["speculative"] for r in agent.requests))
    await harness.send(TRANSCRIPTS, final(session_id, said))
    events = await harness.probe.wait_for(session_id, reply_done(1))
    return events, await harness.session_with_turns(session_id, [1])


async def test_a_reply_started_on_words_the_caller_went_on_from_is_never_heard(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(pace_s=0.5)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        events, session = await turn_after_a_pause(
            harness, agent, "what time do you open", "what time do you open on sunday"
        )
        await until(lambda: bool(agent.cancelled))
    asked = [(r["utterance"], r["turnId"], r["speculative"]) for r in agent.requests[1:]]
    assert asked == [
        ("what time do you open", 1, True),
        ("what time do you open on sunday", 1, False),
    ]
    assert [r["utterance"] for r in agent.cancelled] == ["what time do you open"]
    assert [s.text for s in sentences(events, 1)] == [
        "You said what time do you open on sunday.",
        "Is there anything else?",
        "",
    ]
    heard = [e.text for e in harness.probe.of(session.id) if isinstance(e, ReplySentence)]
    assert [t for t in heard if "do you open" in t] == ["You said what time do you open on sunday."]
    (turn,) = session.turns
    assert turn.user_utterance == "what time do you open on sunday"
    assert (
        turn.agent_response == "You said what time do you open on sunday. Is there anything else?"
    )


async def test_a_reply_started_on_the_final_words_is_used_without_asking_again(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(pace_s=0.3)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        events, session = await turn_after_a_pause(
            harness, agent, "what time do you open", "What time do you open?"
        )
    asked = [(r["utterance"], r["turnId"], r["speculative"]) for r in agent.requests[1:]]
    assert asked == [("what time do you open", 1, True)]
    assert agent.cancelled == []
    assert [(s.index, s.text) for s in sentences(events, 1)] == [
        (0, "You said what time do you open."),
        (1, "Is there anything else?"),
        (2, ""),
    ]
    (turn,) = session.turns
    assert turn.user_utterance == "What time do you open?"
    assert turn.agent_response == "You said what time do you open. Is there anything else?"
    assert turn.usage is not None


async def test_a_confirmed_reply_that_stopped_where_it_would_act_goes_on_asked_for_real(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(pace_s=0.3, acts_after_first_piece=True)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        events, session = await turn_after_a_pause(
            harness, agent, "what time do you open", "what time do you open"
        )
    asked = [(r["utterance"], r["speculative"]) for r in agent.requests[1:]]
    assert asked == [("what time do you open", True), ("what time do you open", False)]
    # What the caller heard from the early reply is not said twice.
    assert [s.text for s in sentences(events, 1)] == [
        "You said what time do you open.",
        "Is there anything else?",
        "",
    ]
    (turn,) = session.turns
    assert turn.agent_response == "You said what time do you open. Is there anything else?"


async def test_the_caller_speaking_again_cancels_the_reply_started_early(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(pace_s=0.5)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        session_id = await greeted(harness)
        await pause_after(harness, session_id, "what time do you open")
        await until(lambda: any(r["speculative"] for r in agent.requests))
        await harness.send(
            TRANSCRIPTS, SpeechStarted(session_id=session_id, edge_slot=SLOT, offset_ms=1500)
        )
        await until(lambda: bool(agent.cancelled))
        await harness.send(TRANSCRIPTS, final(session_id, "what time do you open"))
        events = await harness.probe.wait_for(session_id, reply_done(1))
    assert [r["speculative"] for r in agent.requests[1:]] == [True, False]
    assert [r["speculative"] for r in agent.cancelled] == [True]
    assert [s.text for s in sentences(events, 1)] == [
        "You said what time do you open.",
        "Is there anything else?",
        "",
    ]


async def test_one_interim_sent_as_the_caller_went_quiet_starts_the_reply(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(pace_s=0.3)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=2.0) as harness:
        session_id = await greeted(harness)
        heard = interim(session_id, "what time do you open", duration_ms=700)
        await harness.send(TRANSCRIPTS, heard.model_copy(update={"paused": True}))
        await until(lambda: any(r["speculative"] for r in agent.requests))
        await harness.send(TRANSCRIPTS, final(session_id, "what time do you open"))
        events = await harness.probe.wait_for(session_id, reply_done(1))
    assert [(r["utterance"], r["speculative"]) for r in agent.requests[1:]] == [
        ("what time do you open", True)
    ]
    assert next(s.text for s in sentences(events, 1)) == "You said what time do you open."


async def test_a_v1_agent_is_only_asked_once_the_caller_has_finished(
    stack_env: dict[str, str],
) -> None:
    echo = EchoAgent()
    async with dialogue_with_agent(stack_env, echo) as harness:
        session_id = await greeted(harness)
        await pause_after(harness, session_id, "what time do you open")
        await harness.send(TRANSCRIPTS, final(session_id, "what time do you open"))
        await harness.probe.wait_for(session_id, reply_done(1))
    assert [r["event"] for r in echo.requests] == ["call_started", "utterance"]
