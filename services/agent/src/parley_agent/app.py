"""The demo agent as an MCP server (streamable HTTP at /mcp), stateless by design:
the conversation arrives with every call in ``context``."""

from __future__ import annotations

import hmac
import os
import time
from typing import Literal

from mcp.server.mcpserver import MCPServer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from parley_agent.metrics import TOOL_CALLS, TOOL_DURATION_MS
from parley_agent.receptionist import answer


class Turn(BaseModel):
    role: Literal["caller", "agent"]
    text: str


class Action(BaseModel):
    type: Literal["hangup", "transfer"]
    to: str | None = None


class Reply(BaseModel):
    reply: str = Field(description="What Parley should say, as plain spoken sentences.")
    actions: list[Action] = Field(default_factory=list)


def build_server(front_desk: str) -> MCPServer:
    server = MCPServer("parley-demo-receptionist", instructions="A dental-practice receptionist.")

    @server.tool(name="respond", description="Answer the caller (Parley agent tool contract v1).")
    def respond(
        sessionId: str,
        event: Literal["call_started", "utterance", "dtmf"],
        utterance: str = "",
        dtmf: str | None = None,
        context: list[Turn] | None = None,
    ) -> Reply:
        started = time.perf_counter()
        turns = [t.model_dump() for t in context or []]
        result = answer(event, utterance, turns, dtmf, front_desk)
        TOOL_CALLS.labels(event=event).inc()
        TOOL_DURATION_MS.observe((time.perf_counter() - started) * 1000)
        return Reply(reply=result.reply, actions=[Action.model_validate(a) for a in result.actions])

    return server


def front_desk_number() -> str:
    return os.environ.get("PARLEY_AGENT_FRONT_DESK", "+15550100000")


def build_app(front_desk: str | None = None, token: str | None = None) -> Starlette:
    """The agent over streamable HTTP; with a token, /mcp demands `Authorization: Bearer`."""
    server = build_server(front_desk or front_desk_number())
    app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True
    )
    required = token if token is not None else os.environ.get("PARLEY_AGENT_TOKEN", "")

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"service": "agent", "status": "ok"})

    app.router.routes.append(Route("/healthz", healthz))
    # Stateless and dependency-free: ready whenever it is alive.
    app.router.routes.append(Route("/readyz", healthz))
    app.router.routes.append(Route("/metrics", metrics))
    if required:
        app.add_middleware(BearerTokenMiddleware, token=required)
    return app


async def metrics(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class BearerTokenMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, token: str) -> None:
        super().__init__(app)
        self._expected = f"Bearer {token}"

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path.startswith("/mcp"):
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), self._expected.encode()):
                return JSONResponse({"error": "missing or wrong bearer token"}, status_code=401)
        return await call_next(request)
