"""The caller talks over a v2 reply the agent is still writing: the reply is stopped at
once, not when its stream ends (the dialogue service through real Kafka and Redis, the
agent a real MCP server streaming slowly)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from parley_contracts import (
    CALL_EVENTS,
    REPLIES,
    TRANSCRIPTS,
    CallEnded,
    ClearPlayback,
    DtmfPressed,
    ReplyCancelled,
    ReplySentence,
)

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
from tests.support.mcp_agents import StreamingAgent

pytestmark = pytest.mark.integration

LONG_QUESTION = "tell me about every treatment"
LONG_REPLY = [
    "We offer cleaning. ",
    "We offer whitening. ",
    "We offer braces. ",
    "We offer implants. ",
    "We offer check-ups. ",
]


def script(request: dict[str, Any]) -> list[str]:
    """A long reply, in five pieces, to the long question; one short piece otherwise."""
    if request["utterance"] == LONG_QUESTION:
        return LONG_REPLY
    return [f"You said {request['utterance'] or request['dtmf'] or 'nothing'}. "]


async def long_reply_begun(harness: DialogueHarness) -> str:
    """A call whose caller asked the long question; its reply's first sentence is out."""
    session_id = await harness.start_call(SLOT)
    await harness.probe.wait_for(session_id, reply_done(0))
    await heard_in_full(harness, session_id, 0)
    await harness.send(TRANSCRIPTS, final(session_id, LONG_QUESTION))
    await harness.probe.wait_for(session_id, lambda ev: bool(sentences(ev, 1)))
    return session_id


async def test_a_barge_in_stops_a_reply_that_is_still_streaming(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(script=script, pace_s=0.5)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=5.0) as harness:
        session_id = await long_reply_begun(harness)
        # The first sentence is out; the agent is still writing the other four.
        await harness.send(TRANSCRIPTS, interim(session_id, "wait a second"))
        await harness.probe.wait_for(
            session_id, lambda ev: any(isinstance(e, ReplyCancelled) for e in ev)
        )
        await until(lambda: any(r["turnId"] == 1 for r in agent.cancelled))
        await harness.send(TRANSCRIPTS, final(session_id, "wait a second"))
        await harness.probe.wait_for(session_id, reply_done(2))
        session = await harness.session_with_turns(session_id, [1, 2])
        replies = [e for topic, e in harness.probe.events if topic == REPLIES.name]
    events = harness.probe.of(session_id)
    turn = sentences(events, 1)
    (cancelled,) = [e for e in events if isinstance(e, ReplyCancelled)]
    (clear,) = [e for e in events if isinstance(e, ClearPlayback)]
    assert (cancelled.turn_id, clear.turn_id) == (1, 2)
    # Stopped long before the agent would have finished writing: its last piece was due
    # four paces after the first.
    stream_would_end = turn[0].at.timestamp() + 4 * agent.pace_s
    assert clear.at.timestamp() < stream_would_end - agent.pace_s
    assert cancelled.at.timestamp() < stream_would_end - agent.pace_s
    # Nothing more of the reply was published after the interruption (the replies topic
    # keeps a call's events in order).
    mine = [e for e in replies if e.session_id == session_id]
    after = mine[mine.index(cancelled) + 1 :]
    assert not [e for e in after if isinstance(e, ReplySentence) and e.turn_id == 1]
    said = [s.text for s in turn]
    assert said and len(said) < len(LONG_REPLY)
    assert not any(s.is_last for s in turn)
    assert [r["utterance"] for r in agent.cancelled] == [LONG_QUESTION]
    by_id = {t.turn_id: t for t in session.turns}
    assert by_id[1].interrupted is True
    assert by_id[1].agent_response == " ".join(said)
    assert by_id[1].user_utterance == LONG_QUESTION
    assert by_id[2].interrupted is None
    assert by_id[2].agent_response == "You said wait a second."


async def test_a_key_pressed_during_a_streaming_reply_stops_it_and_is_answered(
    stack_env: dict[str, str],
) -> None:
    agent = StreamingAgent(script=script, pace_s=0.5)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=5.0) as harness:
        session_id = await long_reply_begun(harness)
        await harness.send(
            CALL_EVENTS, DtmfPressed(session_id=session_id, edge_slot=SLOT, digit="7")
        )
        events = await harness.probe.wait_for(session_id, reply_done(2))
        session = await harness.session_with_turns(session_id, [1, 2])
    assert [r["utterance"] for r in agent.cancelled] == [LONG_QUESTION]
    (cancelled,) = [e for e in events if isinstance(e, ReplyCancelled)]
    assert cancelled.turn_id == 1
    said = [s.text for s in sentences(events, 1)]
    assert len(said) < len(LONG_REPLY)
    by_id = {t.turn_id: t for t in session.turns}
    assert by_id[1].interrupted is True and by_id[1].agent_response == " ".join(said)
    assert by_id[2].agent_response == "You said 7."


async def test_the_call_ending_stops_a_streaming_reply(stack_env: dict[str, str]) -> None:
    agent = StreamingAgent(script=script, pace_s=0.5)
    async with dialogue_with_agent(stack_env, agent, agent_timeout_s=5.0) as harness:
        session_id = await long_reply_begun(harness)
        stored = await harness.store.get(session_id)
        assert stored is not None
        ended = CallEnded(session_id=session_id, call_sid=stored.call_sid, reason="hangup")
        await harness.send(CALL_EVENTS, ended)
        await until(lambda: bool(agent.cancelled))
        session = await harness.session_with_turns(session_id, [1])
        # Past the time the agent would have finished writing the reply.
        await asyncio.sleep(len(LONG_REPLY) * agent.pace_s)
    said = [s.text for s in sentences(harness.probe.of(session_id), 1)]
    assert [r["utterance"] for r in agent.cancelled] == [LONG_QUESTION]
    assert len(said) < len(LONG_REPLY)
    assert session.turns[0].agent_response == " ".join(said)
