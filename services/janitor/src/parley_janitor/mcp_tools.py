"""The session API as MCP tools (official SDK, streamable HTTP at /mcp).

Each tool publishes typed input and output schemas and annotations a stock client reads.
The input schemas only describe: arguments reach the service as the client sent them and
SessionInput validates them, as it does for the HTTP routes (with the configured endpoint
policy and the same messages). A failed call (validation, not found, already closed, rate
limit) comes back as a tool error whose text says what happened and what to do.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

import orjson
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from parley_sessions import SessionAlreadyClosedError, SessionNotFoundError
from pydantic import PlainValidator
from starlette.requests import Request

from parley_janitor.callers import CallerIdentity
from parley_janitor.rate_limit import RateLimitedError
from parley_janitor.session_input import (
    CallSid,
    CloseReason,
    InvalidRequestError,
    OlderThan,
    SessionConfig,
    SessionId,
    SessionUpdates,
)
from parley_janitor.session_results import Cleaned, Closed, Created, Found, Updated
from parley_janitor.session_service import SessionService

_TOOL_FAILURES = (
    InvalidRequestError,
    RateLimitedError,
    SessionAlreadyClosedError,
    SessionNotFoundError,
)


def _unchanged(value: Any) -> Any:
    return value


def _described_as(schema: Any) -> PlainValidator:
    """An argument published with ``schema``'s JSON schema and passed on unchanged."""
    return PlainValidator(_unchanged, json_schema_input_type=schema)


def _annotations(
    title: str, *, read_only: bool = False, destructive: bool = False, idempotent: bool = False
) -> ToolAnnotations:
    """Every tool works on Parley's own session store only (a closed world)."""
    return ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
        open_world_hint=False,
    )


def build_mcp_server(service: SessionService, identify: CallerIdentity) -> MCPServer:
    """The tools; each call counts against the limits of the caller ``identify`` names from
    the HTTP request that carried it."""
    server = MCPServer("parley-sessions", instructions="Read and manage Parley call sessions.")

    def caller(ctx: Context) -> str:
        request = ctx.request_context.request
        return identify(request if isinstance(request, Request) else None)

    async def run(operation: Awaitable[dict[str, Any]]) -> CallToolResult:
        """The service's answer as the HTTP API gives it: the SDK checks it against the
        tool's output model, and the text content is the same JSON."""
        try:
            result = await operation
        except _TOOL_FAILURES as exc:
            raise ToolError(str(exc)) from exc
        text = orjson.dumps(result).decode()
        return CallToolResult(
            content=[TextContent(type="text", text=text)], structured_content=result
        )

    @server.tool(
        name="session.create",
        description="Open a session for a call; config fields left out take the janitor's"
        " defaults. Returns {sessionId, createdAt}.",
        annotations=_annotations("Open a session"),
    )
    async def create(
        callSid: Annotated[Any, _described_as(CallSid)],
        ctx: Context,
        config: Annotated[Any, _described_as(SessionConfig | None)] = None,
    ) -> Annotated[CallToolResult, Created]:
        payload = {"callSid": callSid, "config": {} if config is None else config}
        return await run(service.create(caller(ctx), payload))

    @server.tool(
        name="session.get",
        description="A session by id: {session}, null if unknown or expired.",
        annotations=_annotations("Read a session", read_only=True, idempotent=True),
    )
    async def get(
        sessionId: Annotated[Any, _described_as(SessionId)], ctx: Context
    ) -> Annotated[CallToolResult, Found]:
        return await run(service.get(caller(ctx), sessionId))

    @server.tool(
        name="session.update",
        description="Change a session: turns appended in order, metadata merged, settings"
        " replaced; sessionId, callSid, createdAt, lastActivityAt, status and version cannot"
        " change. Returns {updated, session}.",
        annotations=_annotations("Update a session"),
    )
    async def update(
        sessionId: Annotated[Any, _described_as(SessionId)],
        updates: Annotated[Any, _described_as(SessionUpdates)],
        ctx: Context,
    ) -> Annotated[CallToolResult, Updated]:
        return await run(service.update(caller(ctx), sessionId, updates))

    @server.tool(
        name="session.close",
        description="Close a session: {closed, duration (ms)}. Closing twice is refused.",
        annotations=_annotations("Close a session", destructive=True, idempotent=True),
    )
    async def close(
        sessionId: Annotated[Any, _described_as(SessionId)],
        ctx: Context,
        reason: Annotated[Any, _described_as(CloseReason | None)] = None,
    ) -> Annotated[CallToolResult, Closed]:
        return await run(service.close(caller(ctx), sessionId, reason))

    @server.tool(
        name="session.cleanup",
        description="Close active sessions idle for olderThan seconds or more (hanging up"
        " their calls): {cleaned}.",
        annotations=_annotations("Close idle sessions", destructive=True, idempotent=True),
    )
    async def cleanup(
        olderThan: Annotated[Any, _described_as(OlderThan)], ctx: Context
    ) -> Annotated[CallToolResult, Cleaned]:
        return await run(service.cleanup(caller(ctx), olderThan))

    return server
