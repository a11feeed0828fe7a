"""An independent MCP agent for tests, and serving ASGI apps for real with uvicorn
on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from parley_devstack.ports import free_port
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response


class EchoAgent:
    """Replies with what it was sent, so tests can see exactly what reached the agent."""

    def __init__(
        self, delay_s: float = 0.0, answer: str | None = None, broken: bool = False
    ) -> None:
        self.delay_s = delay_s
        self.answer = answer
        self.broken = broken
        self.requests: list[dict[str, Any]] = []
        self.server = MCPServer("echo-agent")

        @self.server.tool(name="respond")
        async def respond(
            sessionId: str,
            event: str,
            utterance: str = "",
            dtmf: str | None = None,
            context: list[dict[str, Any]] | None = None,
        ) -> dict[str, Any]:
            self.requests.append(
                {
                    "sessionId": sessionId,
                    "event": event,
                    "utterance": utterance,
                    "dtmf": dtmf,
                    "context": context or [],
                }
            )
            await asyncio.sleep(self.delay_s)
            if self.broken:
                raise RuntimeError("the agent's database is down")
            return {
                "reply": self.answer or f"You said {utterance or dtmf or 'nothing'}.",
                "toolCalls": [{"name": "lookup", "arguments": {"q": utterance}, "result": "ok"}],
            }

    def app(self) -> Starlette:
        return self.server.streamable_http_app(
            streamable_http_path="/mcp", stateless_http=True, json_response=True
        )


class FailFirstToolCalls(BaseHTTPMiddleware):
    """Answers the first `failures` tool calls with HTTP 503, like an overloaded proxy."""

    def __init__(self, app: Any, failures: int) -> None:
        super().__init__(app)
        self.remaining = failures
        self.tool_calls_seen = 0

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        body = await request.body()
        if b'"tools/call"' in body:
            self.tool_calls_seen += 1
            if self.remaining > 0:
                self.remaining -= 1
                return PlainTextResponse("overloaded", status_code=503)
        return await call_next(request)


@contextlib.asynccontextmanager
async def serving_mcp(app: Starlette) -> AsyncIterator[str]:
    """Serve an MCP app on a free loopback port; yield its /mcp URL."""
    async with serving(app) as base_url:
        yield f"{base_url}/mcp"


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app (lifespan included) on a free loopback port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
