"""The MCP client against real MCP servers: the demo agent and an independent one."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest
from parley_agent.app import build_app
from parley_agent_client import (
    AgentAuthError,
    AgentCircuitOpenError,
    AgentClient,
    AgentRequest,
    AgentTimeoutError,
    AgentTurn,
    AgentUnavailableError,
)
from parley_devstack.ports import free_port
from parley_resilience import CircuitBreaker

from tests.support.mcp_agents import EchoAgent, FailFirstToolCalls, serving_mcp


def utterance(text: str, context: list[AgentTurn] | None = None) -> AgentRequest:
    return AgentRequest(session_id="s-1", event="utterance", utterance=text, context=context or [])


async def test_demo_agent_greets_and_answers() -> None:
    async with serving_mcp(build_app(token="")) as url, AgentClient(url) as agent:
        greeting = await agent.respond(AgentRequest(session_id="s-1", event="call_started"))
        assert "help" in greeting.reply.lower()
        hours = await agent.respond(utterance("what time do you open on monday"))
        assert "monday" in hours.reply.lower()


async def test_context_and_dtmf_reach_an_independent_agent_in_order() -> None:
    echo = EchoAgent()
    context = [
        AgentTurn(role="caller", text="first"),
        AgentTurn(role="agent", text="reply one"),
        AgentTurn(role="caller", text="second"),
    ]
    async with serving_mcp(echo.app()) as url, AgentClient(url) as agent:
        reply = await agent.respond(utterance("third", context))
        digits = await agent.respond(AgentRequest(session_id="s-1", event="dtmf", dtmf="4"))
    assert reply.reply == "You said third."
    assert [t.name for t in reply.tool_calls] == ["lookup"]
    assert [c["text"] for c in echo.requests[0]["context"]] == ["first", "reply one", "second"]
    assert echo.requests[0]["sessionId"] == "s-1"
    assert echo.requests[1]["event"] == "dtmf" and echo.requests[1]["dtmf"] == "4"
    assert digits.reply == "You said 4."


async def test_slow_agent_times_out_without_retry() -> None:
    echo = EchoAgent(delay_s=2.0)
    async with serving_mcp(echo.app()) as url, AgentClient(url, timeout_s=0.3) as agent:
        with pytest.raises(AgentTimeoutError, match=r"did not answer within 0\.30 s"):
            await agent.respond(utterance("hello"))
    assert len(echo.requests) == 1


async def test_transient_failure_is_retried_once() -> None:
    echo = EchoAgent()
    app = echo.app()
    app.add_middleware(FailFirstToolCalls, failures=1)
    async with serving_mcp(app) as url, AgentClient(url, timeout_s=2.0) as agent:
        reply = await agent.respond(utterance("again"))
    assert reply.reply == "You said again."


async def test_two_transient_failures_surface_as_unavailable() -> None:
    echo = EchoAgent()
    app = echo.app()
    app.add_middleware(FailFirstToolCalls, failures=2)
    async with serving_mcp(app) as url, AgentClient(url, timeout_s=2.0) as agent:
        with pytest.raises(AgentUnavailableError):
            await agent.respond(utterance("again"))
        assert agent.circuit.state == "closed"  # one failed request is not yet a pattern
        assert (await agent.respond(utterance("now"))).reply == "You said now."


async def test_refused_credentials_are_not_retried() -> None:
    async with serving_mcp(build_app(token="right")) as url:
        agent = AgentClient(url, headers={"Authorization": "Bearer wrong"})
        started = time.perf_counter()
        with pytest.raises(AgentAuthError, match="HTTP 401"):
            await agent.respond(utterance("hello"))
        assert time.perf_counter() - started < 1.0
        await agent.close()
        async with AgentClient(url, headers={"Authorization": "Bearer right"}) as allowed:
            assert (await allowed.respond(utterance("goodbye"))).wants_hangup


async def test_circuit_opens_after_three_failures_and_refuses_at_once() -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"  # nothing listens here
    agent = AgentClient(url, timeout_s=0.5, retry_delay_s=0.01, circuit=CircuitBreaker("agent"))
    for _ in range(3):
        with pytest.raises(AgentUnavailableError):
            await agent.respond(utterance("hello"))
    assert agent.circuit.state == "open"
    with pytest.raises(AgentCircuitOpenError):
        await agent.respond(utterance("hello"))


async def test_circuit_half_opens_and_closes_when_the_agent_is_back() -> None:
    echo = EchoAgent()
    async with serving_mcp(echo.app()) as url:
        agent = AgentClient(url, circuit=CircuitBreaker("agent", reset_after_s=0.0))
        for _ in range(3):
            agent.circuit.record_failure()
        assert agent.circuit.state == "half_open"
        assert (await agent.respond(utterance("back"))).reply == "You said back."
        assert agent.circuit.state == "closed"
        await agent.close()


async def test_local_agent_over_stdio() -> None:
    endpoint = f"stdio:{sys.executable} -m parley_agent --stdio"
    async with AgentClient(endpoint, timeout_s=10) as agent:
        reply = await agent.respond(utterance("what time do you open on monday"))
    assert "monday" in reply.reply.lower()


async def test_agent_going_away_leaves_the_connecting_task_running() -> None:
    """The task that opened the connection (the service's lifespan) outlives it."""
    echo = EchoAgent()
    stop_host = asyncio.Event()
    async with serving_mcp(echo.app()) as url:
        agent = AgentClient(url, timeout_s=2.0, retry_delay_s=0.01)

        async def lifespan() -> None:
            await agent.start()
            await stop_host.wait()

        host = asyncio.create_task(lifespan())
        assert (await agent.respond(utterance("one"))).reply == "You said one."
    with pytest.raises(AgentUnavailableError):
        await agent.respond(utterance("two"))
    await asyncio.sleep(0.2)
    assert not host.done(), "the agent's failure cancelled the task that connected"
    stop_host.set()
    await host
    await agent.close()
