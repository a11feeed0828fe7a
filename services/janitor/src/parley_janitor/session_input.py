"""What the session API takes: one validation for the HTTP routes and the MCP tools.

Inputs are camelCase JSON; unknown and immutable fields are refused, numbers and sizes
are bounded where they reach the store (a TTL past the calendar's end fails to compute an
expiry; megabytes of metadata are re-read on every later request), and ``mcpEndpoint``
must be an endpoint the janitor's AgentEndpointPolicy admits. Each error names the field
and the bound.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from parley_sessions import Turn
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel

from parley_janitor.agent_endpoints import MAX_ENDPOINT_LENGTH, AgentEndpointPolicy

# Fields of Session an update may not touch: identity, bookkeeping, and status (use close).
IMMUTABLE_FIELDS = frozenset(
    {"sessionId", "callSid", "createdAt", "lastActivityAt", "status", "version"}
)
MAX_TTL_S = 24 * 3600
MAX_METADATA_BYTES = 4096  # serialised as JSON, after merging into the session's
MAX_METADATA_DEPTH = 4  # objects and arrays nested in the metadata object, counted with it
MAX_METADATA_KEYS = 64  # at every level together
MAX_TURNS_PER_UPDATE = 50
MAX_TURN_BYTES = 32_768
MAX_NAME_LENGTH = 64
MAX_OLDER_THAN_S = 366 * 24 * 3600

_POLICY = "endpoints"
_DEFAULT_POLICY = AgentEndpointPolicy()


# The scalar inputs, as the MCP tools publish them; SessionInput is what checks them.
SessionId = Annotated[UUID, Field(description="the sessionId session.create returned")]
CallSid = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, description="the carrier's id of the call"),
]
CloseReason = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, description="why; recorded in metadata"),
]
OlderThan = Annotated[
    int, Field(ge=0, le=MAX_OLDER_THAN_S, description="seconds idle, at least (up to a year)")
]


class InvalidRequestError(ValueError):
    """The request does not match the operation's schema; the message says what to fix."""


def _json_size(value: Any, what: str) -> int:
    try:
        return len(orjson.dumps(value))
    except TypeError as exc:  # integers past 64 bits, mostly
        raise ValueError(f"{what} cannot be stored as JSON ({exc})") from exc


def _shape(value: Any, depth: int = 1) -> tuple[int, int]:
    """(deepest nesting, keys) of a JSON value; a scalar is depth 0."""
    if isinstance(value, dict):
        children = [_shape(v, depth + 1) for v in value.values()]
        return max([depth, *(d for d, _ in children)]), len(value) + sum(k for _, k in children)
    if isinstance(value, list):
        children = [_shape(v, depth + 1) for v in value]
        return max([depth, *(d for d, _ in children)]), sum(k for _, k in children)
    return 0, 0


def check_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Raise ValueError naming the bound ``metadata`` exceeds."""
    size = _json_size(metadata, "metadata")
    if size > MAX_METADATA_BYTES:
        raise ValueError(
            f"metadata is {size} bytes as JSON, more than {MAX_METADATA_BYTES};"
            " keep large data elsewhere and store a reference"
        )
    depth, keys = _shape(metadata)
    if depth > MAX_METADATA_DEPTH:
        raise ValueError(f"metadata nests {depth} levels deep, more than {MAX_METADATA_DEPTH}")
    if keys > MAX_METADATA_KEYS:
        raise ValueError(f"metadata has {keys} keys in all, more than {MAX_METADATA_KEYS}")
    return metadata


class _Input(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SessionConfig(_Input):
    """The fields both create (``config``) and update may set."""

    mcp_endpoint: str | None = Field(
        default=None,
        description="the agent's MCP endpoint, an http(s) URL the janitor's policy admits",
        json_schema_extra={"format": "uri", "maxLength": MAX_ENDPOINT_LENGTH},
    )
    stt_provider: str | None = Field(
        default=None, min_length=1, max_length=MAX_NAME_LENGTH, description="speech recogniser"
    )
    tts_provider: str | None = Field(
        default=None, min_length=1, max_length=MAX_NAME_LENGTH, description="speech synthesiser"
    )
    ttl: int | None = Field(
        default=None, ge=1, le=MAX_TTL_S, strict=True, description="idle seconds before expiry"
    )

    @field_validator("mcp_endpoint")
    @classmethod
    def _admitted_endpoint(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        policy: AgentEndpointPolicy = (info.context or {}).get(_POLICY, _DEFAULT_POLICY)
        return policy.check(value)


class CreateRequest(_Input):
    call_sid: CallSid
    config: SessionConfig = Field(default_factory=SessionConfig)


class SessionUpdates(SessionConfig):
    """What session.update may change, and how (the description its schema publishes)."""

    # Published with the schema, so a client reads what it may not send before it is refused.
    model_config = ConfigDict(
        json_schema_extra={
            "description": "Partial<Session>: turns are appended in order, metadata is merged"
            " key by key, the rest replaced; "
            + ", ".join(sorted(IMMUTABLE_FIELDS))
            + " cannot change (status changes through session.close)."
        }
    )

    metadata: dict[str, Any] | None = Field(
        default=None,
        description=f"merged key by key; at most {MAX_METADATA_BYTES} bytes as JSON once merged",
    )
    turns: list[Turn] | None = Field(
        default=None, max_length=MAX_TURNS_PER_UPDATE, description="appended in the order given"
    )

    @field_validator("metadata")
    @classmethod
    def _bounded_metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else check_metadata(value)

    @field_validator("turns")
    @classmethod
    def _bounded_turns(cls, value: list[Turn] | None) -> list[Turn] | None:
        for turn in value or []:
            size = _json_size(turn.model_dump(mode="json", by_alias=True), "a turn")
            if size > MAX_TURN_BYTES:
                raise ValueError(
                    f"turn {turn.turn_id} is {size} bytes as JSON, more than {MAX_TURN_BYTES}"
                )
        return value


class SessionInput:
    """Parses and bounds every session API input; HTTP and MCP both go through it."""

    def __init__(self, endpoints: AgentEndpointPolicy) -> None:
        self._context = {_POLICY: endpoints}

    def create(self, payload: Any) -> CreateRequest:
        payload = json_object(payload, "the input")
        try:
            return CreateRequest.model_validate(payload, context=self._context)
        except ValidationError as exc:
            raise InvalidRequestError(f"invalid session.create input: {_describe(exc)}") from exc

    def updates(self, updates: Any) -> SessionUpdates:
        updates = json_object(updates, "updates")
        frozen = sorted(IMMUTABLE_FIELDS & set(updates))
        if frozen:
            raise InvalidRequestError(
                f"{', '.join(frozen)} cannot be changed by session.update"
                " (status changes through session.close)"
            )
        try:
            return SessionUpdates.model_validate(updates, context=self._context)
        except ValidationError as exc:
            raise InvalidRequestError(f"invalid updates: {_describe(exc)}") from exc

    def close_reason(self, reason: Any) -> str | None:
        if reason is None:
            return None
        if not isinstance(reason, str) or not 1 <= len(reason) <= MAX_NAME_LENGTH:
            raise InvalidRequestError(
                f"reason must be a string of 1 to {MAX_NAME_LENGTH} characters"
            )
        return reason

    def older_than(self, older_than: Any) -> int:
        if not isinstance(older_than, int) or isinstance(older_than, bool):
            raise InvalidRequestError("olderThan (seconds, a whole number) is required")
        if not 0 <= older_than <= MAX_OLDER_THAN_S:
            raise InvalidRequestError(
                f"olderThan must be a number of seconds from 0 to {MAX_OLDER_THAN_S} (a year)"
            )
        return older_than


def json_object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidRequestError(f"{what} must be a JSON object")
    return payload


def parse_session_id(value: str) -> str:
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidRequestError(
            f"sessionId {value!r} is not a UUID; use the sessionId that session.create returned"
        ) from exc


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}" for err in exc.errors()
    )
