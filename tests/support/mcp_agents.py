"""An independent MCP agent for tests, and serving ASGI apps for real with uvicorn
on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
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


def said_back(request: dict[str, Any]) -> list[str]:
    """The streaming agent's default reply, in the pieces it streams."""
    said = request["utterance"] or request["dtmf"] or "nothing"
    return [f"You said {said}. ", "Is there ", "anything else? "]


class StreamingAgent:
    """A v2 agent (contract 2 in its tool's `_meta`): streams its reply in pieces,
    `pace_s` apart, as reply deltas, then returns the whole reply. It records what it
    was asked (v2 fields too), when each result went back, and which calls were cancelled.

    `final` replaces the returned reply (one that does not continue the stream);
    `stall_s` holds the result back after the last piece; `chatter` sends an ordinary
    progress message before each piece; `hangup` ends the call after the reply;
    `acts_after_first_piece` makes a speculative request stop after its first piece,
    marked incomplete (as an agent that may not run a tool speculatively does).
    """

    def __init__(
        self,
        script: Callable[[dict[str, Any]], list[str]] = said_back,
        pace_s: float = 0.0,
        first_piece_after_s: float = 0.0,
        final: str | None = None,
        stall_s: float = 0.0,
        chatter: bool = False,
        hangup: bool = False,
        acts_after_first_piece: bool = False,
    ) -> None:
        self.script = script
        self.acts_after_first_piece = acts_after_first_piece
        self.pace_s = pace_s
        self.first_piece_after_s = first_piece_after_s
        self.final = final
        self.stall_s = stall_s
        self.chatter = chatter
        self.hangup = hangup
        self.requests: list[dict[str, Any]] = []
        self.returned_at: list[float] = []
        self.cancelled: list[dict[str, Any]] = []
        self.server = MCPServer("streaming-agent")

        @self.server.tool(name="respond", meta={"parley/contract": 2})
        async def respond(
            ctx: Context,
            sessionId: str,
            event: str,
            utterance: str = "",
            dtmf: str | None = None,
            context: list[dict[str, Any]] | None = None,
            contract: int = 1,
            turnId: int | None = None,
            speculative: bool = False,
        ) -> dict[str, Any]:
            request = {
                "sessionId": sessionId,
                "event": event,
                "utterance": utterance,
                "dtmf": dtmf,
                "context": context or [],
                "contract": contract,
                "turnId": turnId,
                "speculative": speculative,
            }
            self.requests.append(request)
            try:
                result = await self._reply(ctx, request)
            except asyncio.CancelledError:
                self.cancelled.append(request)
                raise
            self.returned_at.append(time.time())
            return result

    async def _reply(self, ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
        sent = ""
        await asyncio.sleep(self.first_piece_after_s)
        pieces = self.script(request)
        stops_short = self.acts_after_first_piece and request["speculative"]
        if stops_short:
            pieces = pieces[:1]
        for number, piece in enumerate(pieces):
            if number:
                await asyncio.sleep(self.pace_s)
            if self.chatter:
                await ctx.report_progress(len(sent) + 0.5, None, "thinking")
            sent += piece
            delta = {"v": 2, "type": "reply.delta", "text": piece}
            await ctx.report_progress(len(sent), None, orjson.dumps(delta).decode())
        await asyncio.sleep(self.pace_s + self.stall_s)
        return {
            "reply": sent if self.final is None else self.final,
            "actions": [{"type": "hangup"}] if self.hangup else [],
            "toolCalls": [{"name": "lookup", "arguments": {"q": request["utterance"]}}],
            "usage": {"promptTokens": 12, "completionTokens": len(sent.split())},
            **({"incomplete": True} if stops_short else {}),
        }

    def app(self) -> Starlette:
        """Served with SSE responses, which progress notifications need."""
        return self.server.streamable_http_app(
            streamable_http_path="/mcp", stateless_http=True, json_response=False
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
async def serving(app: Any, **options: Any) -> AsyncIterator[str]:
    """Serve an ASGI app (lifespan included) on a free loopback port; yield its base URL.
    ``options`` go to uvicorn's Config, e.g. ``proxy_headers=False``."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
    )
    server = uvicorn.Server(config)
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
