"""The session HTTP API (read side): GET /v1/sessions/{sessionId}."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import ORJSONResponse
from parley_sessions import SessionStore


def sessions_router(store: SessionStore) -> APIRouter:
    router = APIRouter(prefix="/v1/sessions")

    @router.get("/{session_id}")
    async def get_session(session_id: str) -> Response:
        session = await store.get(session_id)
        if session is None:
            raise HTTPException(
                status_code=404,
                detail=f"session {session_id} does not exist or has expired; create a new session",
            )
        return ORJSONResponse({"session": session.to_json_dict()})

    return router
