"""The session API's operations, shared by the MCP tools and the HTTP routes.

Inputs are validated here (camelCase JSON, unknown or immutable fields refused) and
every call is counted against its rate limit first.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from parley_sessions import Session, SessionNotFoundError, SessionStore, Turn
from parley_telemetry import tracer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from parley_janitor import metrics
from parley_janitor.edge_slots import EDGE_SLOT_KEY, InvalidEdgeSlotError
from parley_janitor.lifecycle import SessionLifecycle
from parley_janitor.rate_limit import RateLimiter
from parley_janitor.settings import JanitorSettings

log = logging.getLogger(__name__)

# Fields of Session an update may not touch: identity, bookkeeping, and status (use close).
IMMUTABLE_FIELDS = frozenset(
    {"sessionId", "callSid", "createdAt", "lastActivityAt", "status", "version"}
)


class _Input(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SessionConfig(_Input):
    mcp_endpoint: str | None = None
    stt_provider: str | None = None
    tts_provider: str | None = None
    ttl: int | None = Field(default=None, gt=0, description="idle seconds before expiry")


class CreateRequest(_Input):
    call_sid: str = Field(min_length=1, max_length=64)
    config: SessionConfig = Field(default_factory=SessionConfig)


class SessionUpdates(_Input):
    """Partial<Session>: turns are appended in order, metadata is merged, the rest replaced."""

    mcp_endpoint: str | None = None
    stt_provider: str | None = None
    tts_provider: str | None = None
    ttl: int | None = Field(default=None, gt=0)
    metadata: dict[str, Any] | None = None
    turns: list[Turn] | None = None


def hashed_call_sid(call_sid: str) -> str:
    """A stable pseudonym for a call SID, for logs and spans."""
    return hashlib.sha256(call_sid.encode()).hexdigest()[:16]


class InvalidRequestError(ValueError):
    """The request does not match the operation's schema; the message says what to fix."""


def parse_session_id(value: str) -> str:
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidRequestError(
            f"sessionId {value!r} is not a UUID; use the sessionId that session.create returned"
        ) from exc


def parse_updates(updates: dict[str, Any]) -> SessionUpdates:
    frozen = sorted(IMMUTABLE_FIELDS & set(updates))
    if frozen:
        raise InvalidRequestError(
            f"{', '.join(frozen)} cannot be changed by session.update"
            " (status changes through session.close)"
        )
    try:
        return SessionUpdates.model_validate(updates)
    except ValidationError as exc:
        raise InvalidRequestError(f"invalid updates: {_describe(exc)}") from exc


def parse_create(payload: dict[str, Any]) -> CreateRequest:
    try:
        return CreateRequest.model_validate(payload)
    except ValidationError as exc:
        raise InvalidRequestError(f"invalid session.create input: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}" for err in exc.errors()
    )


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

    async def create(self, request: CreateRequest) -> dict[str, Any]:
        await self._limiter.check("session.create")
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

    async def get(self, session_id: str) -> dict[str, Any]:
        await self._limiter.check("session.get")
        session = await self._store.get(parse_session_id(session_id))
        return {"session": None if session is None else session.to_json_dict()}

    async def update(self, session_id: str, updates: SessionUpdates) -> dict[str, Any]:
        await self._limiter.check("session.update")
        sid = parse_session_id(session_id)
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
                changes["metadata"] = {**session.metadata, **updates.metadata}
            if updates.turns:
                changes["turns"] = [*session.turns, *updates.turns]
            return session.model_copy(update=changes)

        with tracer().start_as_current_span(
            "voice.session.update", attributes={"session_id": sid}
        ) as span:
            session = await self._store.update(sid, apply)
            span.set_attribute("turn_count", len(session.turns))
        return {"updated": True, "session": session.to_json_dict()}

    async def close(self, session_id: str, reason: str | None) -> dict[str, Any]:
        await self._limiter.check("session.close")
        session = await self._lifecycle.close_strict(parse_session_id(session_id), reason or "api")
        duration = session.last_activity_at - session.created_at
        return {"closed": True, "duration": round(duration / timedelta(milliseconds=1))}

    async def cleanup(self, older_than_s: int) -> dict[str, Any]:
        await self._limiter.check("session.cleanup")
        if older_than_s < 0:
            raise InvalidRequestError("olderThan must be a number of seconds, 0 or more")
        with tracer().start_as_current_span(
            "voice.session.cleanup", attributes={"older_than": older_than_s}
        ) as span:
            cleaned = await self._lifecycle.cleanup_idle(older_than_s)
            span.set_attribute("sessions_cleaned", cleaned)
        return {"cleaned": cleaned}


__all__ = [
    "CreateRequest",
    "InvalidRequestError",
    "SessionNotFoundError",
    "SessionService",
    "SessionUpdates",
    "parse_create",
    "parse_updates",
]
