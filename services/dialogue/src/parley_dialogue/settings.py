from __future__ import annotations

from parley_runtime import ServiceSettings
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict


class DialogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARLEY_DIALOGUE_", env_file=".env", extra="ignore"
    )

    port: int = 8082
    consumer_group: str = "parley-dialogue"
    agent_url: str = Field(
        default="http://127.0.0.1:8090/mcp",
        validation_alias=AliasChoices("PARLEY_AGENT_URL", "agent_url"),
        description="Streamable-HTTP endpoint of the MCP agent server.",
    )
    agent_tool: str = "respond"
    agent_timeout_s: float = Field(default=5.0, gt=0)
    agent_token: str = Field(
        default="",
        validation_alias=AliasChoices("PARLEY_AGENT_TOKEN", "agent_token"),
        description="Bearer token sent to the agent, if it needs one.",
    )
    fallback_reply: str = "I'm having trouble connecting right now. Please try again in a moment."
    session_wait_s: float = Field(
        default=3.0, ge=0, description="How long to wait for a new call's session record."
    )
