"""The session API as JSON over HTTP under /v1/sessions, mirroring the MCP tools.

Each route names its operation, whose scope (parley_janitor.auth) the request's API key
must hold before the route runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from parley_sessions import SessionAlreadyClosedError, SessionNotFoundError

from parley_janitor.auth import Authenticator, AuthRefusedError
from parley_janitor.callers import CallerIdentity
from parley_janitor.rate_limit import RateLimitedError
from parley_janitor.session_input import InvalidRequestError, json_object
from parley_janitor.session_service import SessionService


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    async def rate_limited(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RateLimitedError)
        return _error(429, str(exc), {"Retry-After": str(exc.retry_after_s)})

    async def invalid(_: Request, exc: Exception) -> Response:
        return _error(422, str(exc))

    async def not_found(_: Request, exc: Exception) -> Response:
        return _error(404, str(exc))

    async def conflict(_: Request, exc: Exception) -> Response:
        return _error(409, str(exc))

    async def refused(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, AuthRefusedError)
        return _error(exc.status, str(exc), {"WWW-Authenticate": exc.challenge()})

    app.add_exception_handler(AuthRefusedError, refused)
    app.add_exception_handler(RateLimitedError, rate_limited)
    app.add_exception_handler(InvalidRequestError, invalid)
    app.add_exception_handler(SessionNotFoundError, not_found)
    app.add_exception_handler(SessionAlreadyClosedError, conflict)


def sessions_router(
    service: SessionService, identify: CallerIdentity, authenticator: Authenticator
) -> APIRouter:
    """The routes; each request counts against the limits of the caller ``identify`` names."""
    router = APIRouter(prefix="/v1/sessions")

    def needs(operation: str) -> Any:
        async def authorize(request: Request) -> None:
            authorization = request.headers.get("authorization")
            authenticator.authorize(request.scope, authorization, [operation])

        return [Depends(authorize)]

    @router.post("", dependencies=needs("session.create"))
    async def create_session(request: Request, payload: Any = Body(default=None)) -> Response:  # noqa: B008
        body = json_object(payload, "the request body")
        return JSONResponse(await service.create(identify(request), body), status_code=201)

    @router.get("/{session_id}", dependencies=needs("session.get"))
    async def get_session(request: Request, session_id: str) -> Response:
        result = await service.get(identify(request), session_id)
        if result["session"] is None:
            hint = f"session {session_id} does not exist or has expired; create a new session"
            return JSONResponse({**result, "error": hint}, status_code=404)
        return JSONResponse(result)

    @router.patch("/{session_id}", dependencies=needs("session.update"))
    async def update_session(
        request: Request,
        session_id: str,
        payload: Any = Body(default=None),  # noqa: B008
    ) -> Response:
        updates = json_object(payload, "the request body").get("updates")
        return JSONResponse(await service.update(identify(request), session_id, updates))

    @router.post("/{session_id}/close", dependencies=needs("session.close"))
    async def close_session(
        request: Request,
        session_id: str,
        payload: Any = Body(default=None),  # noqa: B008
    ) -> Response:
        reason = json_object(payload or {}, "the request body").get("reason")
        return JSONResponse(await service.close(identify(request), session_id, reason))

    @router.post("/cleanup", dependencies=needs("session.cleanup"))
    async def cleanup(request: Request, payload: Any = Body(default=None)) -> Response:  # noqa: B008
        older_than = json_object(payload, "the request body").get("olderThan")
        return JSONResponse(await service.cleanup(identify(request), older_than))

    return router
