"""How to reach an agent: streamable HTTP for a remote server, stdio for a local program."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

import httpx2
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

STDIO_PREFIX = "stdio:"


class AuthFailureWatch:
    """Remembers whether the agent's HTTP endpoint refused our credentials.

    The MCP client turns any HTTP error status into a generic JSON-RPC error, so the
    status is observed on the HTTP client itself.
    """

    def __init__(self) -> None:
        self.refused_status: int | None = None

    async def on_response(self, response: httpx2.Response) -> None:
        if response.status_code in (401, 403):
            self.refused_status = response.status_code


def describe(endpoint: str) -> str:
    return endpoint if not endpoint.startswith(STDIO_PREFIX) else f"local agent `{endpoint[6:]}`"


async def open_transport(
    stack: AsyncExitStack,
    endpoint: str,
    headers: Mapping[str, str],
    timeout: httpx2.Timeout,
    auth_watch: AuthFailureWatch,
) -> Any:
    """Enter the transport for `endpoint` on `stack` and return it for `mcp.Client`."""
    if endpoint.startswith(STDIO_PREFIX):
        command, *args = shlex.split(endpoint[len(STDIO_PREFIX) :])
        return StdioServerParameters(command=command, args=args)
    http = await stack.enter_async_context(
        httpx2.AsyncClient(
            headers=dict(headers),
            timeout=timeout,
            event_hooks={"response": [auth_watch.on_response]},
        )
    )
    return streamable_http_client(endpoint, http_client=http)
