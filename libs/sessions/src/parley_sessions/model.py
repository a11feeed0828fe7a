"""The session record: one per call, JSON field names in camelCase, times in UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

DEFAULT_TTL_S = 3600


def _now() -> datetime:
    return datetime.now(UTC)


class _CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


MAX_TOOL_RESULT_CHARS = 2000
"""What of a tool's result a turn keeps (the agent's full answer can be large)."""


class ToolCall(_CamelModel):
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    # An extension: what the tool returned, as the agent reported it (text, cut to
    # MAX_TOOL_RESULT_CHARS), present in JSON only when reported.
    result: str | None = Field(default=None, exclude_if=lambda v: v is None)

    @classmethod
    def reported(cls, name: str, arguments: dict[str, Any], result: Any) -> ToolCall:
        text = (
            None
            if result is None
            else result
            if isinstance(result, str)
            else json.dumps(result, default=str)
        )
        return cls(name=name, arguments=arguments, result=text and text[:MAX_TOOL_RESULT_CHARS])


class TokenUsage(_CamelModel):
    """The tokens the agent's model spent on a turn's reply, as the agent reported them."""

    prompt_tokens: int = Field(ge=0)
    completion_tokens: int = Field(ge=0)


class Turn(_CamelModel):
    """One exchange: what the caller said and what the agent answered."""

    turn_id: int
    user_utterance: str
    agent_response: str
    timestamp: datetime = Field(default_factory=_now)
    latency_ms: float | None = None
    tool_calls: list[ToolCall] | None = None
    # Extensions beyond the core record, present in JSON only when set:
    # the caller interrupted the reply (it was cut, not heard to the end) ...
    interrupted: bool | None = Field(default=None, exclude_if=lambda v: v is None)
    # ... what speech clean-up removed from the agent's reply (markdown, URLs, ...) ...
    warnings: list[str] | None = Field(default=None, exclude_if=lambda v: not v)
    # ... where the turn's time went (ms per stage: stt, agent, tts, playback) ...
    latency_stages: dict[str, float] | None = Field(default=None, exclude_if=lambda v: v is None)
    # ... and what the agent's model spent on the reply (agents that report it).
    usage: TokenUsage | None = Field(default=None, exclude_if=lambda v: v is None)


class Session(_CamelModel):
    """One call's record: its settings and the conversation so far."""

    session_id: UUID = Field(default_factory=uuid4)
    call_sid: str
    mcp_endpoint: str = ""
    stt_provider: str = "local"
    tts_provider: str = "local"
    turns: list[Turn] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=_now)
    last_activity_at: datetime = Field(default_factory=_now)
    ttl: int = Field(default=DEFAULT_TTL_S, gt=0, description="idle seconds before expiry")
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: Literal["active", "closed"] = "active"
    # Bumped by the store on every write; an update based on an older version is retried.
    version: int = Field(default=0, ge=0)

    @property
    def id(self) -> str:
        return str(self.session_id)

    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.last_activity_at.timestamp() + self.ttl, UTC)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
