"""API keys for the MCP endpoint, checked around the MCP app before any tool runs.

The scope a request needs depends on what it carries: a ``tools/call`` needs its tool's
scope (parley_janitor.auth.OPERATION_SCOPES, the table the HTTP routes use), every other
message (initialize, tools/list, ping) only ``read``. So the key is checked first, then
the body is read (no more than the MCP app itself accepts), judged, and handed on
unchanged. Refusals are HTTP 401/403 with the Bearer challenge, as the MCP
authorization spec expects of a resource server, never a tool error.
"""

from __future__ import annotations

from typing import Any

import orjson
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley_janitor.auth import Authenticator, AuthRefusedError


def requested_operations(body: bytes) -> list[str]:
    """The tool each ``tools/call`` in a JSON-RPC message (or batch) names; ``""`` for a
    call without a usable name. Other methods need no more than ``read`` and are left out;
    a body that is not JSON-RPC is left to the MCP app to refuse."""
    try:
        decoded = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return []
    messages = decoded if isinstance(decoded, list) else [decoded]
    operations: list[str] = []
    for message in messages:
        if isinstance(message, dict) and message.get("method") == "tools/call":
            params = message.get("params")
            name = params.get("name") if isinstance(params, dict) else None
            operations.append(name if isinstance(name, str) else "")
    return operations


class McpKeyAuth:
    """ASGI middleware admitting MCP requests by API key and scope."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self._app = app
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        authorization = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        try:
            # A caller without a key is refused before its body is read.
            self._authenticator.authorize(scope, authorization, [])
            body = await _read_body(receive)
            if body is None:
                await Response("Request body too large", status_code=413)(scope, receive, send)
                return
            self._authenticator.authorize(scope, authorization, requested_operations(body))
        except AuthRefusedError as exc:
            response = JSONResponse(
                {"error": str(exc)},
                status_code=exc.status,
                headers={"WWW-Authenticate": exc.challenge()},
            )
            await response(scope, receive, send)
            return
        await self._app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive, limit: int = DEFAULT_MAX_REQUEST_BODY_SIZE) -> bytes | None:
    """The whole body, or None past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives the body read already, then whatever follows it."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: Any = await receive()
        return message  # type: ignore[no-any-return]

    return replayed
