"""The agent tool contract (see docs/agent-contract.md): what Parley sends, what it expects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class AgentToolCall(_Wire):
    """A tool the agent used while producing its reply (reported, not executed by Parley)."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: Any = None


class AgentTurn(_Wire):
    role: Literal["caller", "agent"]
    text: str
    tool_calls: list[AgentToolCall] | None = None
    interrupted: bool | None = None


class AgentRequest(_Wire):
    session_id: str
    event: Literal["call_started", "utterance", "dtmf"]
    utterance: str = ""
    dtmf: str | None = None
    context: list[AgentTurn] = Field(default_factory=list)

    def arguments(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class AgentAction(_Wire):
    type: Literal["hangup", "transfer"]
    to: str | None = None


class AgentReply(_Wire):
    reply: str
    actions: list[AgentAction] = Field(default_factory=list)
    tool_calls: list[AgentToolCall] = Field(default_factory=list)

    @property
    def wants_hangup(self) -> bool:
        return any(action.type == "hangup" for action in self.actions)
