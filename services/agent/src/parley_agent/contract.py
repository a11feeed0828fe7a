"""The agent tool contract as the agent sees it (docs/agent-contract.md): what Parley sends
with every turn, and what a reply is. Field names are the wire's (camelCase)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

CONTRACT_META = {"parley/contract": 2}
"""The tool ``_meta`` that declares a v2 (streaming) agent."""


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ToolCall(_Wire):
    """A tool the agent used for a turn, with what it returned."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: Any = None


class Turn(_Wire):
    role: Literal["caller", "agent"]
    text: str
    interrupted: bool = False
    """An agent turn the caller cut short: they did not hear all of it."""


class Action(_Wire):
    type: Literal["hangup", "transfer"]
    to: str | None = None


class Reply(_Wire):
    reply: str = Field(description="What Parley should say, as plain spoken sentences.")
    actions: list[Action] = Field(default_factory=list)


class Usage(_Wire):
    prompt_tokens: int
    completion_tokens: int


class StreamedReply(Reply):
    """A v2 result: the whole reply (the streamed pieces joined), the tools used, and the
    model's token usage when the model reported it."""

    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage | None = Field(default=None, exclude_if=lambda usage: usage is None)
    incomplete: bool = Field(default=False, exclude_if=lambda incomplete: not incomplete)
    """A speculative reply that stopped where it would have run a tool: ask again."""
