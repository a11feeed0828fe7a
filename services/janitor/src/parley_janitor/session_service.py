"""The session API's operations, shared by the MCP tools and the HTTP routes.

Every call is counted against its caller's rate limit first (``caller`` is the identity
parley_janitor.callers gives the request); inputs arrive as decoded JSON and are validated
here (SessionInput), so neither entry point can skip a check.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from parley_sessions import Session, SessionNotFoundError, SessionStore
from parley_telemetry import tracer

from parley_janitor import metrics
from parley_janitor.agent_endpoints import AgentEndpointPolicy
from parley_janitor.audit import audited
from parley_janitor.edge_slots import EDGE_SLOT_KEY, InvalidEdgeSlotError
from parley_janitor.lifecycle import SessionLifecycle
from parley_janitor.rate_limit import RateLimiter
from parley_janitor.session_input import (
    InvalidRequestError,
    SessionInput,
    SessionUpdates,
    check_metadata,
    parse_session_id,
)
from parley_janitor.settings import JanitorSettings

log = logging.getLogger(__name__)


def hashed_call_sid(call_sid: str) -> str:
    """A stable pseudonym for a call SID, for logs and spans."""
    return hashlib.sha256(call_sid.encode()).hexdigest()[:16]


class SessionService:
    def __init__(
        self,
        store: SessionStore,
        lifecycle: SessionLifecycle,
        limiter: RateLimiter,
        settings: JanitorSettings,
    ) -> None:
        self._store = store
        self._lifecycle = lifecycle
        self._limiter = limiter
        self._settings = settings
        self._input = SessionInput(AgentEndpointPolicy(settings.agent_endpoint_allowlist))

    async def create(self, caller: str, payload: Any) -> dict[str, Any]:
        """``payload``: {callSid, config?}."""
        with audited(caller, "session.create") as audit:
            result = await self._create(caller, payload)
            audit["session_id"] = result["sessionId"]
        return result

    async def _create(self, caller: str, payload: Any) -> dict[str, Any]:
        await self._limiter.check("session.create", caller)
        request = self._input.create(payload)
        config = request.config
        session = Session(
            session_id=uuid4(),
            call_sid=request.call_sid,
            mcp_endpoint=config.mcp_endpoint or self._settings.mcp_endpoint,
            stt_provider=config.stt_provider or self._settings.stt_provider,
            tts_provider=config.tts_provider or self._settings.tts_provider,
            ttl=config.ttl or self._settings.session_ttl_s,
        )
        with tracer().start_as_current_span(
            "voice.session.create",
            attributes={
                "call_sid": hashed_call_sid(session.call_sid),
                "mcp_endpoint": session.mcp_endpoint,
                "stt_provider": session.stt_provider,
                "session_id": session.id,
            },
        ):
            await self._store.create(session)
        metrics.session_created()
        return {"sessionId": session.id, "createdAt": session.to_json_dict()["createdAt"]}

    async def get(self, caller: str, session_id: str) -> dict[str, Any]:
        await self._limiter.check("session.get", caller)
        session = await self._store.get(parse_session_id(session_id))
        return {"session": None if session is None else session.to_json_dict()}

    async def update(self, caller: str, session_id: str, payload: Any) -> dict[str, Any]:
        """``payload``: the updates, a partial session."""
        with audited(caller, "session.update", session_id):
            return await self._update(caller, session_id, payload)

    async def _update(self, caller: str, session_id: str, payload: Any) -> dict[str, Any]:
        await self._limiter.check("session.update", caller)
        sid = parse_session_id(session_id)
        updates = self._input.updates(payload)
        if updates.metadata is not None and EDGE_SLOT_KEY in updates.metadata:
            try:
                await self._lifecycle.edge_slots.check(updates.metadata[EDGE_SLOT_KEY])
            except InvalidEdgeSlotError as exc:
                raise InvalidRequestError(f"invalid updates: metadata.{exc}") from exc
        now = datetime.now(UTC)

        def apply(session: Session) -> Session:
            if session.status == "closed":
                raise InvalidRequestError(f"session {sid} is closed; create a new session")
            changes: dict[str, Any] = {"last_activity_at": now}
            for name in ("mcp_endpoint", "stt_provider", "tts_provider", "ttl"):
                value = getattr(updates, name)
                if value is not None:
                    changes[name] = value
            if updates.metadata is not None:
                changes["metadata"] = _merged_metadata(session, updates)
            if updates.turns:
                changes["turns"] = [*session.turns, *updates.turns]
            return session.model_copy(update=changes)

        with tracer().start_as_current_span(
            "voice.session.update", attributes={"session_id": sid}
        ) as span:
            session = await self._store.update(sid, apply)
            span.set_attribute("turn_count", len(session.turns))
        return {"updated": True, "session": session.to_json_dict()}

    async def close(self, caller: str, session_id: str, reason: Any) -> dict[str, Any]:
        with audited(caller, "session.close", session_id):
            await self._limiter.check("session.close", caller)
            sid = parse_session_id(session_id)
            reason = self._input.close_reason(reason) or "api"
            session = await self._lifecycle.close_strict(sid, reason)
        duration = session.last_activity_at - session.created_at
        return {"closed": True, "duration": round(duration / timedelta(milliseconds=1))}

    async def cleanup(self, caller: str, older_than: Any) -> dict[str, Any]:
        with audited(caller, "session.cleanup") as audit:
            await self._limiter.check("session.cleanup", caller)
            older_than_s = self._input.older_than(older_than)
            with tracer().start_as_current_span(
                "voice.session.cleanup", attributes={"older_than": older_than_s}
            ) as span:
                cleaned = await self._lifecycle.cleanup_idle(older_than_s)
                span.set_attribute("sessions_cleaned", cleaned)
            audit["sessions_cleaned"] = cleaned
        return {"cleaned": cleaned}


def _merged_metadata(session: Session, updates: SessionUpdates) -> dict[str, Any]:
    """The session's metadata with the update merged in, within the same bounds: many
    small updates must not add up to what one large one may not be."""
    try:
        return check_metadata({**session.metadata, **(updates.metadata or {})})
    except ValueError as exc:
        raise InvalidRequestError(f"invalid updates: merged into the session's, {exc}") from exc


__all__ = [
    "InvalidRequestError",
    "SessionNotFoundError",
    "SessionService",
    "hashed_call_sid",
]
