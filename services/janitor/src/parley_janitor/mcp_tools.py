"""The session API as MCP tools (official SDK, streamable HTTP at /mcp).

A failed call (validation, not found, already closed, rate limit) comes back as a tool
error whose text says what happened and what to do.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from parley_sessions import SessionAlreadyClosedError, SessionNotFoundError
from starlette.requests import Request

from parley_janitor.callers import CallerIdentity
from parley_janitor.rate_limit import RateLimitedError
from parley_janitor.session_input import InvalidRequestError
from parley_janitor.session_service import SessionService

_TOOL_FAILURES = (
    InvalidRequestError,
    RateLimitedError,
    SessionAlreadyClosedError,
    SessionNotFoundError,
)


def build_mcp_server(service: SessionService, identify: CallerIdentity) -> MCPServer:
    """The tools; each call counts against the limits of the caller ``identify`` names from
    the HTTP request that carried it."""
    server = MCPServer("parley-sessions", instructions="Read and manage Parley call sessions.")

    def caller(ctx: Context) -> str:
        request = ctx.request_context.request
        return identify(request if isinstance(request, Request) else None)

    async def run(operation: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = await operation
        except _TOOL_FAILURES as exc:
            raise ToolError(str(exc)) from exc
        return result

    @server.tool(name="session.create", description="Open a session: {sessionId, createdAt}.")
    async def create(
        callSid: str, ctx: Context, config: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await run(service.create(caller(ctx), {"callSid": callSid, "config": config or {}}))

    @server.tool(name="session.get", description="A session by id: {session} (null if unknown).")
    async def get(sessionId: str, ctx: Context) -> dict[str, Any]:
        return await run(service.get(caller(ctx), sessionId))

    @server.tool(
        name="session.update",
        description="Change a session: turns appended in order, metadata merged;"
        " sessionId, callSid, createdAt cannot change. Returns {updated, session}.",
    )
    async def update(sessionId: str, updates: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return await run(service.update(caller(ctx), sessionId, updates))

    @server.tool(name="session.close", description="Close a session: {closed, duration (ms)}.")
    async def close(sessionId: str, ctx: Context, reason: str | None = None) -> dict[str, Any]:
        return await run(service.close(caller(ctx), sessionId, reason))

    @server.tool(
        name="session.cleanup",
        description="Close active sessions idle for olderThan seconds or more: {cleaned}.",
    )
    async def cleanup(olderThan: int, ctx: Context) -> dict[str, Any]:
        return await run(service.cleanup(caller(ctx), olderThan))

    return server
