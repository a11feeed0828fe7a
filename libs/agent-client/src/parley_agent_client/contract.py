"""The agent tool contract (see docs/agent-contract.md): what Parley sends, what it expects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

CONTRACT_V2 = 2
"""The contract version whose tools stream their replies (docs/agent-contract.md, v2)."""
CONTRACT_META_KEY = "parley/contract"
"""Where a tool declares its contract version, in its `_meta`."""


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
    # v2 only: never sent to a v1 tool, which would not expect them.
    turn_id: int | None = None
    speculative: bool = False

    def arguments(self, contract: int = 1) -> dict[str, Any]:
        """The tool arguments for a tool of this contract version."""
        arguments = self.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"turn_id", "speculative"}
        )
        if contract >= CONTRACT_V2:
            arguments["contract"] = CONTRACT_V2
            arguments["speculative"] = self.speculative
            if self.turn_id is not None:
                arguments["turnId"] = self.turn_id
        return arguments


class AgentAction(_Wire):
    type: Literal["hangup", "transfer"]
    to: str | None = None


class AgentUsage(_Wire):
    """The tokens the agent's model spent on one reply, as the agent reports them."""

    prompt_tokens: int = Field(ge=0)
    completion_tokens: int = Field(ge=0)


class AgentReply(_Wire):
    reply: str
    actions: list[AgentAction] = Field(default_factory=list)
    tool_calls: list[AgentToolCall] = Field(default_factory=list)
    usage: AgentUsage | None = None
    incomplete: bool = False
    """A speculative reply the agent stopped where it would have acted (v2)."""

    @property
    def wants_hangup(self) -> bool:
        return any(action.type == "hangup" for action in self.actions)
