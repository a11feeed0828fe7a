"""The MCP tool servers' tools, offered to the model as functions, and calling them.

Tool servers are reached over streamable HTTP with the official MCP client. Each listing
and each call opens a client of its own over one shared HTTP connection pool: a client is
bound to the task that entered it, and a long-held one would take that task down with it
when its server went away; a fresh client per call costs one extra local round trip and
nothing can outlive the turn that used it. A server that cannot be listed is logged and
listed again in the background (at most every ``RELIST_AFTER_S``) while turns go on
without its tools."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent, Tool
from openai.types.chat import ChatCompletionFunctionToolParam

from parley_agent.llm.tool_names import ToolServer, exposed_names

log = logging.getLogger(__name__)

RELIST_AFTER_S = 30.0
LIST_TIMEOUT_S = 10.0
"""A listing never holds up a turn (only start-up), so it may take longer than a call."""
MAX_RESULT_CHARS = 4000
"""What the model is shown of one result: tool output is not allowed to flood its context."""
MAX_LISTED_PAGES = 20

Outcome = Literal["ok", "error", "timeout"]


@dataclass(frozen=True)
class RemoteTool:
    """A tool of a tool server, under the name the model calls it by."""

    function_name: str
    server: ToolServer
    name: str
    description: str
    parameters: dict[str, Any]

    @property
    def qualified_name(self) -> str:
        """How the turn's ``toolCalls`` name it: ``<server>.<tool>``."""
        return f"{self.server.label}.{self.name}"

    def spec(self) -> ChatCompletionFunctionToolParam:
        return {
            "type": "function",
            "function": {
                "name": self.function_name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass(frozen=True)
class ToolResult:
    outcome: Outcome
    content: str
    """What the model is told."""
    recorded: Any
    """What the turn's ``toolCalls`` record: structured content, or the text."""


class ToolCatalogue:
    def __init__(
        self, servers: Sequence[ToolServer], timeout_s: float, reserved: Sequence[str] = ()
    ) -> None:
        self._servers = list(servers)
        self._timeout_s = timeout_s
        self._reserved = tuple(reserved)
        self._listed: dict[ToolServer, list[Tool]] = {}
        self._tried_at: dict[ToolServer, float] = {}
        self._tools: list[RemoteTool] = []
        self._refreshing: asyncio.Task[None] | None = None
        self._http: httpx2.AsyncClient | None = None

    async def start(self) -> None:
        """List every server now (at start-up, so the first caller finds the tools)."""
        await self._refresh(self._servers)

    def tools(self) -> list[RemoteTool]:
        """The tools listed so far. Servers not listed yet are listed again in the
        background (at most every ``RELIST_AFTER_S``): a turn never waits for a listing."""
        due = self._due()
        if due and (self._refreshing is None or self._refreshing.done()):
            self._refreshing = asyncio.create_task(self._refresh(due), name="list-tools")
        return self._tools

    def _due(self) -> list[ToolServer]:
        now = time.monotonic()
        return [
            server
            for server in self._servers
            if server not in self._listed
            and (server not in self._tried_at or now - self._tried_at[server] >= RELIST_AFTER_S)
        ]

    async def _refresh(self, servers: Sequence[ToolServer]) -> None:
        now = time.monotonic()
        await asyncio.gather(*(self._list(server, now) for server in servers))
        self._tools = self._named()

    async def call(self, tool: RemoteTool, arguments: dict[str, Any]) -> ToolResult:
        """Call ``tool``; a failure, or no answer within the timeout, is a result too."""
        try:
            async with (
                asyncio.timeout(self._timeout_s),
                self._client(tool.server, self._timeout_s) as client,
            ):
                result = await client.call_tool(tool.name, arguments)
        except TimeoutError:
            message = f"the tool did not answer within {self._timeout_s:g} s"
            return ToolResult("timeout", f"error: {message}", message)
        except Exception as exc:  # any failure of a tool server is told to the model
            message = f"the tool could not be reached ({_reason(exc)})"
            log.warning(
                "tool call failed",
                extra={"event": "llm.tool_failed", "tool": tool.qualified_name, "error": message},
            )
            return ToolResult("error", f"error: {message}", message)
        return _read_result(result)

    async def close(self) -> None:
        if self._refreshing is not None:
            self._refreshing.cancel()
            await asyncio.gather(self._refreshing, return_exceptions=True)
            self._refreshing = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self, server: ToolServer, timeout_s: float) -> Client:
        if self._http is None:
            self._http = httpx2.AsyncClient(timeout=max(self._timeout_s, LIST_TIMEOUT_S))
        transport = streamable_http_client(server.url, http_client=self._http)
        return Client(transport, read_timeout_seconds=timeout_s, cache=None)

    async def _list(self, server: ToolServer, now: float) -> None:
        self._tried_at[server] = now
        try:
            async with (
                asyncio.timeout(LIST_TIMEOUT_S),
                self._client(server, LIST_TIMEOUT_S) as client,
            ):
                tools: list[Tool] = []
                cursor: str | None = None
                for _ in range(MAX_LISTED_PAGES):
                    page = await client.list_tools(cursor=cursor)
                    tools.extend(page.tools)
                    cursor = page.next_cursor
                    if cursor is None:
                        break
        except Exception as exc:  # the turn goes on without this server's tools
            log.warning(
                "cannot list a tool server's tools; trying again later",
                extra={
                    "event": "llm.tool_server_unavailable",
                    "server": server.label,
                    "error": _reason(exc),
                    "retry_in_s": RELIST_AFTER_S,
                },
            )
            return
        self._listed[server] = tools
        log.info(
            "listed a tool server's tools",
            extra={"event": "llm.tools_listed", "server": server.label, "tools": len(tools)},
        )

    def _named(self) -> list[RemoteTool]:
        listed = [(s, t) for s in self._servers for t in self._listed.get(s, [])]
        names = exposed_names([(s, t.name) for s, t in listed], self._reserved)
        return [
            RemoteTool(
                name,
                server,
                tool.name,
                tool.description or tool.title or tool.name,
                _parameters(tool),
            )
            for name, (server, tool) in zip(names, listed, strict=True)
        ]


def _parameters(tool: Tool) -> dict[str, Any]:
    """The tool's input schema as function parameters (an object schema at the root)."""
    schema = dict(tool.input_schema or {})
    schema.pop("$schema", None)
    if schema.get("type") != "object":
        return {"type": "object", "properties": {}}
    schema.setdefault("properties", {})
    return schema


def _read_result(result: CallToolResult) -> ToolResult:
    text = "\n".join(c.text for c in result.content if isinstance(c, TextContent))
    if result.is_error:
        return ToolResult("error", f"error: {text[:MAX_RESULT_CHARS]}", text[:MAX_RESULT_CHARS])
    if result.structured_content is not None:
        shown = json.dumps(result.structured_content, ensure_ascii=False)
        if len(shown) > MAX_RESULT_CHARS:  # recorded on the turn, so bounded there too
            return ToolResult("ok", shown[:MAX_RESULT_CHARS], shown[:MAX_RESULT_CHARS])
        return ToolResult("ok", shown, result.structured_content)
    return ToolResult("ok", text[:MAX_RESULT_CHARS], text[:MAX_RESULT_CHARS])


def _reason(exc: BaseException) -> str:
    """The innermost cause, legible: the MCP client wraps transport errors in groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
