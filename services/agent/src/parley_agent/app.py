"""The agent over streamable HTTP at /mcp, stateless by design (the conversation arrives
with every call in ``context``), with /healthz, /readyz and /metrics beside it.

Responses are server-sent event streams (``json_response=False``): a v2 agent's reply
pieces travel as progress notifications ahead of the result, which a JSON response could
not carry (docs/agent-contract.md, "Server settings")."""

from __future__ import annotations

import hmac
import os

from mcp.server.mcpserver import MCPServer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from parley_agent.brains import build_brain


def build_app(server: MCPServer | None = None, token: str | None = None) -> Starlette:
    """``server`` (default: the brain PARLEY_AGENT selects) over streamable HTTP; with a
    token, /mcp demands `Authorization: Bearer`."""
    app = (server or build_brain()).streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=False
    )
    required = token if token is not None else os.environ.get("PARLEY_AGENT_TOKEN", "")

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"service": "agent", "status": "ok"})

    app.router.routes.append(Route("/healthz", healthz))
    # Stateless: ready whenever it is alive (tool servers and the model are per-turn).
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
