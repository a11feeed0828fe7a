"""Streamed (v2) replies from a real MCP server over streamable HTTP with SSE responses."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from parley_agent_client import (
    AgentClient,
    AgentRequest,
    AgentStream,
    AgentTimeoutError,
    AgentUnavailableError,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.support.mcp_agents import EchoAgent, FailFirstToolCalls, StreamingAgent, serving_mcp


def utterance(text: str, turn_id: int = 1) -> AgentRequest:
    return AgentRequest(session_id="s-1", event="utterance", utterance=text, turn_id=turn_id)


async def timed_pieces(stream: AgentStream) -> list[tuple[float, str]]:
    return [(time.time(), piece) async for piece in stream]


async def test_a_v2_agent_streams_its_reply_before_the_result() -> None:
    agent = StreamingAgent(pace_s=0.3)
    async with serving_mcp(agent.app()) as url, AgentClient(url, timeout_s=2.0) as client:
        assert client.contract == 2
        async with client.stream(utterance("hello", turn_id=5)) as stream:
            pieces = await timed_pieces(stream)
        reply = stream.reply
    assert [p for _, p in pieces] == ["You said hello. ", "Is there ", "anything else? "]
    assert pieces[0][0] < agent.returned_at[0] - 0.5  # heard well before the result
    assert reply is not None and reply.reply == "".join(p for _, p in pieces)
    assert reply.usage is not None and reply.usage.prompt_tokens == 12
    assert [c.name for c in reply.tool_calls] == ["lookup"]
    sent = agent.requests[0]
    assert (sent["contract"], sent["turnId"], sent["speculative"]) == (2, 5, False)


async def test_a_v1_agent_through_the_same_stream_gives_only_the_reply() -> None:
    echo = EchoAgent()
    async with serving_mcp(echo.app()) as url, AgentClient(url) as client:
        assert client.contract == 1
        async with client.stream(utterance("hello")) as stream:
            pieces = [piece async for piece in stream]
    assert pieces == []
    assert stream.reply is not None and stream.reply.reply == "You said hello."


async def test_with_streaming_off_a_v2_agent_is_asked_as_v1_and_answers_whole() -> None:
    agent = StreamingAgent(pace_s=0.05)
    async with (
        serving_mcp(agent.app()) as url,
        AgentClient(url, timeout_s=2.0, streaming=False) as client,
    ):
        assert client.contract == 1
        async with client.stream(utterance("hello", turn_id=5)) as stream:
            pieces = [piece async for piece in stream]
    assert pieces == []
    assert stream.reply is not None
    assert stream.reply.reply == "You said hello. Is there anything else? "
    sent = agent.requests[0]
    assert (sent["contract"], sent["turnId"], sent["speculative"]) == (1, None, False)


async def test_pieces_may_come_further_apart_than_the_first_piece_deadline() -> None:
    agent = StreamingAgent(pace_s=0.8)
    async with (
        serving_mcp(agent.app()) as url,
        AgentClient(url, timeout_s=0.5, stream_idle_s=2.0) as client,
    ):
        reply = await client.respond(utterance("slowly"))
    assert reply.reply == "You said slowly. Is there anything else? "


async def test_no_first_piece_within_the_deadline_is_a_timeout() -> None:
    agent = StreamingAgent(first_piece_after_s=2.0)
    async with serving_mcp(agent.app()) as url, AgentClient(url, timeout_s=0.4) as client:
        with pytest.raises(AgentTimeoutError, match=r"did not answer within 0\.40 s"):
            await client.respond(utterance("hello"))
    assert len(agent.requests) == 1


async def test_a_stream_that_stalls_is_cut_after_the_idle_limit_and_not_retried() -> None:
    agent = StreamingAgent(stall_s=3.0)
    async with (
        serving_mcp(agent.app()) as url,
        AgentClient(url, timeout_s=1.0, stream_idle_s=0.5, retry_delay_s=0.01) as client,
    ):
        pieces: list[str] = []
        async with client.stream(utterance("hello")) as stream:
            with pytest.raises(AgentTimeoutError, match=r"stopped streaming .* 0\.50 s"):
                async for piece in stream:
                    pieces.append(piece)
    assert "".join(pieces) == "You said hello. Is there anything else? "
    assert len(agent.requests) == 1


async def test_progress_that_is_no_reply_delta_is_ignored() -> None:
    agent = StreamingAgent(chatter=True)
    async with (
        serving_mcp(agent.app()) as url,
        AgentClient(url, timeout_s=2.0) as client,
        client.stream(utterance("hi")) as stream,
    ):
        pieces = [piece async for piece in stream]
    assert "".join(pieces) == "You said hi. Is there anything else? "
    assert stream.ignored == 3


async def test_leaving_a_stream_early_cancels_the_call_at_the_agent() -> None:
    agent = StreamingAgent(pace_s=0.5)
    async with serving_mcp(agent.app()) as url, AgentClient(url, timeout_s=2.0) as client:
        async with client.stream(utterance("hello")) as stream:
            assert await anext(stream) == "You said hello. "
        deadline = asyncio.get_running_loop().time() + 5
        while not agent.cancelled:
            assert asyncio.get_running_loop().time() < deadline, "the agent was never told"
            await asyncio.sleep(0.02)
        assert agent.returned_at == []
        # The connection is still good for the next turn.
        assert (await client.respond(utterance("again"))).reply.startswith("You said again.")


async def test_a_transient_failure_before_any_piece_is_retried() -> None:
    agent = StreamingAgent()
    app = agent.app()
    app.add_middleware(FailFirstToolCalls, failures=1)
    async with serving_mcp(app) as url, AgentClient(url, timeout_s=2.0) as client:
        reply = await client.respond(utterance("again"))
    assert reply.reply.startswith("You said again.")


class CutAfterFirstPiece:
    """Breaks the connection of every tool call once its first reply piece is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def cutting(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and b"reply.delta" in message.get(
                "body", b""
            ):
                raise ConnectionResetError("the proxy dropped the connection")

        await self.app(scope, receive, cutting)


async def test_a_failure_after_a_piece_is_not_retried() -> None:
    agent = StreamingAgent(pace_s=0.2)
    app: Any = agent.app()
    app.add_middleware(CutAfterFirstPiece)
    async with (
        serving_mcp(app) as url,
        AgentClient(url, timeout_s=1.0, stream_idle_s=1.0, retry_delay_s=0.01) as client,
    ):
        pieces: list[str] = []
        async with client.stream(utterance("hello")) as stream:
            with pytest.raises(AgentUnavailableError) as raised:
                async for piece in stream:
                    pieces.append(piece)
    assert not isinstance(raised.value, AgentTimeoutError)
    assert pieces == ["You said hello. "]
    assert len(agent.requests) == 1
