"""The LLM agent's respond tool over streamable HTTP: contract v2 streaming, the chat it
sends the model, usage, and v1 callers."""

from __future__ import annotations

import asyncio

import pytest
from mcp import Client
from parley_agent_client import AgentClient, AgentRequest, AgentTurn
from prometheus_client import REGISTRY

from tests.integration.agent.conftest import LlmAgent

HOURS = "We open at nine in the morning. We close at five."


async def test_the_respond_tool_declares_contract_v2(agent: LlmAgent) -> None:
    async with Client(agent.url) as client:
        (tool,) = (await client.list_tools()).tools
    assert tool.name == "respond"
    assert (tool.meta or {}).get("parley/contract") == 2


async def test_the_reply_streams_as_progress_before_the_result(agent: LlmAgent) -> None:
    agent.fake.controls.script.on_user("opening hours", HOURS)
    agent.fake.controls.tokens_per_s = 200
    answer = await agent.respond(utterance="what are your opening hours")
    assert answer.reply == HOURS
    assert len(answer.deltas) > 3
    assert "".join(answer.deltas) == HOURS
    assert answer.order[-1] == "result" and set(answer.order[:-1]) == {"delta"}
    # progress is the count of reply characters sent so far
    sent = [len("".join(answer.deltas[: n + 1])) for n in range(len(answer.deltas))]
    assert answer.progress == sent
    assert answer.result["actions"] == [] and answer.result["toolCalls"] == []


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_usage_is_reported_asked_for_and_counted(agent: LlmAgent) -> None:
    agent.fake.controls.script.on_user("opening hours", HOURS)
    before = {
        "completions": sample("agent_llm_completions_total", outcome="ok"),
        "first_tokens": sample("agent_llm_first_token_ms_count"),
        "tokens": sample("agent_llm_tokens_total", kind="completion"),
    }
    answer = await agent.respond(utterance="opening hours please")
    usage = answer.result["usage"]
    assert usage["promptTokens"] > 0 and usage["completionTokens"] > 0
    assert sample("agent_llm_completions_total", outcome="ok") == before["completions"] + 1
    assert sample("agent_llm_first_token_ms_count") == before["first_tokens"] + 1
    assert sample("agent_llm_tokens_total", kind="completion") == (
        before["tokens"] + usage["completionTokens"]
    )
    (request,) = agent.fake.controls.requests
    assert request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}
    assert request["model"] == "fake-model"


async def test_the_conversation_becomes_the_chat(agent: LlmAgent) -> None:
    context = [
        {"role": "caller", "text": "hello"},
        {"role": "agent", "text": "Hi, how can I help?", "interrupted": True},
    ]
    await agent.respond(utterance="what are your opening hours", context=context)
    messages = agent.fake.controls.requests[0]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "telephone" in messages[0]["content"]
    assert messages[1]["content"] == "hello"
    assert messages[2]["content"].startswith("Hi, how can I help?")
    assert "interrupted" in messages[2]["content"]
    assert messages[3]["content"] == "what are your opening hours"


async def test_call_start_asks_for_a_greeting_and_a_key_press_is_described(
    agent: LlmAgent,
) -> None:
    agent.fake.controls.script.on_user("call has just connected", "Hello, how can I help?")
    greeting = await agent.respond(event="call_started")
    assert greeting.reply == "Hello, how can I help?"
    await agent.respond(event="dtmf", dtmf="5")
    last = [r["messages"][-1]["content"] for r in agent.fake.controls.requests]
    assert "pressed the key 5" in last[1]


async def test_a_cancelled_request_cuts_the_model_stream(agent: LlmAgent) -> None:
    """Parley cancels a speculative reply it will not use: the model stops writing it."""
    agent.fake.controls.script.on_user("opening hours", HOURS * 4)
    agent.fake.controls.tokens_per_s = 20
    first_piece = asyncio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        first_piece.set()

    arguments = {"sessionId": "s-1", "event": "utterance", "utterance": "opening hours"}
    async with Client(agent.url) as client:
        call = asyncio.create_task(
            client.call_tool("respond", arguments, progress_callback=on_progress)
        )
        await first_piece.wait()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    async with asyncio.timeout(10):
        while agent.fake.controls.streams_cut == 0:
            await asyncio.sleep(0.05)


async def test_a_v1_caller_gets_the_whole_reply_without_a_stream(agent: LlmAgent) -> None:
    agent.fake.controls.script.on_user("opening hours", HOURS)
    answer = await agent.respond(stream=False, utterance="opening hours", contract=None)
    assert answer.reply == HOURS and answer.deltas == []
    context = [AgentTurn(role="caller", text="hi"), AgentTurn(role="agent", text="Hello.")]
    request = AgentRequest(
        session_id="s-2", event="utterance", utterance="opening hours", context=context
    )
    async with AgentClient(agent.url, timeout_s=5) as client:
        reply = await client.respond(request)
    assert reply.reply == HOURS
