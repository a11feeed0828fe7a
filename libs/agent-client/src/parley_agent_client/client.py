"""The dialogue service's MCP client: one long-lived connection, many concurrent calls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

import httpx2
import orjson
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from parley_agent_client.contract import AgentReply, AgentRequest
from parley_agent_client.errors import AgentProtocolError, AgentUnavailableError

log = logging.getLogger(__name__)


class AgentClient:
    def __init__(
        self,
        endpoint: str,
        tool_name: str = "respond",
        timeout_s: float = 5.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.tool_name = tool_name
        self.timeout_s = timeout_s
        self._headers = dict(headers or {})
        self._client: Client | None = None
        self._stack: AsyncExitStack | None = None
        self._connect_lock = asyncio.Lock()

    async def start(self) -> None:
        """Connect and check the agent offers the tool; raises AgentUnavailableError."""
        await self._connected()

    async def _connected(self) -> Client:
        async with self._connect_lock:
            if self._client is not None:
                return self._client
            stack = AsyncExitStack()
            try:
                http = await stack.enter_async_context(
                    httpx2.AsyncClient(headers=self._headers, timeout=self.timeout_s)
                )
                transport = streamable_http_client(self.endpoint, http_client=http)
                client = await asyncio.wait_for(
                    stack.enter_async_context(
                        Client(transport, read_timeout_seconds=self.timeout_s)
                    ),
                    self.timeout_s,
                )
                tools = await asyncio.wait_for(client.list_tools(), self.timeout_s)
            except Exception as exc:
                with contextlib.suppress(Exception):
                    await stack.aclose()
                raise AgentUnavailableError(
                    f"cannot reach the MCP agent at {self.endpoint}: {exc or type(exc).__name__}"
                ) from exc
            names = [tool.name for tool in tools.tools]
            if self.tool_name not in names:
                await stack.aclose()
                raise AgentProtocolError(
                    f"the agent at {self.endpoint} has no tool {self.tool_name!r} "
                    f"(it offers {names}); set PARLEY_DIALOGUE_AGENT_TOOL"
                )
            self._client, self._stack = client, stack
            log.info(
                "connected to agent", extra={"event": "agent.connected", "endpoint": self.endpoint}
            )
            return client

    async def respond(self, request: AgentRequest) -> AgentReply:
        """Ask the agent; reconnects once if the connection was lost."""
        for attempt in (1, 2):
            client = await self._connected()
            try:
                result = await asyncio.wait_for(
                    client.call_tool(self.tool_name, request.arguments()), self.timeout_s
                )
            except TimeoutError as exc:
                raise AgentUnavailableError(
                    f"the agent at {self.endpoint} did not answer within {self.timeout_s} s"
                ) from exc
            except Exception as exc:
                await self._disconnect()
                if attempt == 2:
                    raise AgentUnavailableError(
                        f"agent call failed: {exc or type(exc).__name__}"
                    ) from exc
                continue
            return self._parse(result)
        raise AssertionError("unreachable")

    def _parse(self, result: CallToolResult) -> AgentReply:
        if result.is_error:
            text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
            raise AgentProtocolError(f"the agent's tool failed: {text[:200]}")
        payload: Any = result.structured_content
        if payload is None:
            texts = [c.text for c in result.content if isinstance(c, TextContent)]
            try:
                payload = orjson.loads(texts[0]) if texts else None
            except orjson.JSONDecodeError:
                payload = {"reply": " ".join(texts)}  # a plain-text reply is still a reply
        if isinstance(payload, dict) and "result" in payload and "reply" not in payload:
            payload = payload["result"]
        try:
            return AgentReply.model_validate(payload)
        except ValidationError as exc:
            raise AgentProtocolError(
                f"the agent's reply does not follow the contract: {exc}"
            ) from exc

    async def _disconnect(self) -> None:
        async with self._connect_lock:
            stack, self._client, self._stack = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(Exception):
                await stack.aclose()

    async def close(self) -> None:
        await self._disconnect()

    async def __aenter__(self) -> AgentClient:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
