"""The LLM agent for real: served over streamable HTTP, answering through the local OpenAI
fake, with a real MCP tool server beside it; called by the official MCP client the way
the dialogue service calls it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from parley_agent.app import build_app
from parley_agent.llm.server import build_llm_agent
from parley_agent.llm.settings import LlmSettings
from parley_devstack.fakes.openai import FakeOpenAI

from tests.support.mcp_agents import serving_mcp


class CalendarTools:
    """A tool server: free slots on a day, a tool that hangs and one that fails."""

    def __init__(self) -> None:
        self.looked_up: list[str] = []
        self.server = MCPServer("calendar")

        @self.server.tool(name="lookup", description="Free appointment slots on a day.")
        def lookup(day: str) -> str:
            self.looked_up.append(day)
            return f"{day} at ten is free"

        @self.server.tool(name="slow", description="Takes its time.")
        async def slow() -> str:
            await asyncio.sleep(10)
            return "finally"

        @self.server.tool(name="broken", description="Always fails.")
        def broken() -> str:
            raise ToolError("the calendar database is down")


@dataclass
class Answer:
    """What the MCP client saw for one respond call."""

    result: dict[str, Any]
    deltas: list[str] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    @property
    def reply(self) -> str:
        return str(self.result["reply"])


class LlmAgent:
    def __init__(self, url: str, fake: FakeOpenAI, calendar: CalendarTools) -> None:
        self.url, self.fake, self.calendar = url, fake, calendar

    async def respond(self, stream: bool = True, **arguments: Any) -> Answer:
        answer = Answer(result={})

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            event = orjson.loads(message or "{}")
            assert event["v"] == 2 and event["type"] == "reply.delta"
            answer.deltas.append(event["text"])
            answer.progress.append(progress)
            answer.order.append("delta")

        request = {"sessionId": "s-1", "event": "utterance", "contract": 2, **arguments}
        async with Client(self.url) as client:
            result = await client.call_tool(
                "respond", request, progress_callback=on_progress if stream else None
            )
        assert not result.is_error, result.content
        assert isinstance(result.structured_content, dict)
        answer.result = result.structured_content
        answer.order.append("result")
        return answer


def settings_for(fake: FakeOpenAI, tools_url: str, **overrides: Any) -> LlmSettings:
    values: dict[str, Any] = {
        "base_url": fake.url,
        "api_key": fake.controls.api_key,
        "model": "fake-model",
        "tool_servers": f"calendar={tools_url}",
        "stream_idle_s": 2.0,
        "retry_after_max_s": 0.2,
        **overrides,
    }
    return LlmSettings.model_validate(values)


@contextlib.asynccontextmanager
async def running_agent(**overrides: Any) -> AsyncIterator[LlmAgent]:
    calendar = CalendarTools()
    async with (
        FakeOpenAI() as fake,
        serving_mcp(
            calendar.server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True)
        ) as tools_url,
    ):
        server = build_llm_agent(settings_for(fake, tools_url, **overrides))
        async with serving_mcp(build_app(server=server, token="")) as url:
            yield LlmAgent(url, fake, calendar)


@pytest.fixture
async def agent() -> AsyncIterator[LlmAgent]:
    async with running_agent() as running:
        yield running
