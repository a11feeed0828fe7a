from __future__ import annotations

from typing import Literal, Self

from parley_bus import KafkaSettings
from parley_runtime import ServiceSettings
from parley_sessions import SessionStoreSettings, parse_api_keys
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from parley_janitor.agent_endpoints import AgentEndpointPolicy, EndpointRefusedError
from parley_janitor.callers import parse_networks
from parley_janitor.session_input import MAX_TTL_S


class JanitorSettings(ServiceSettings, KafkaSettings, SessionStoreSettings):
    # A bad value is named by its validator's message; echoing the input could print a key
    # pasted where its entry belongs.
    model_config = SettingsConfigDict(
        env_prefix="PARLEY_JANITOR_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    port: int = 8084
    consumer_group: str = "parley-janitor"
    session_ttl_s: int = Field(
        default=3600, gt=0, le=MAX_TTL_S, description="Idle seconds before a session expires."
    )
    sweep_interval_s: float = Field(
        default=300.0, gt=0, description="Seconds between expiry sweeps (cleanupInterval)."
    )
    rate_limit_window_s: float = Field(
        default=60.0, gt=0, description="Window the session API's request limits count over."
    )
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies in front of the janitor (addresses or CIDR networks,"
        " comma-separated) whose X-Forwarded-For names the client that rate limits count"
        " against; empty: the peer address is the client and the header is ignored.",
    )
    api_keys: str = Field(
        default="",
        description="The session API's keys, comma-separated <id>:<scopes>:<sha256 of the"
        " key> entries (python -m parley_janitor.keys new makes one); scopes read, write,"
        " admin joined with '+'. Never the keys themselves.",
    )
    auth: Literal["on", "off"] = Field(
        default="on",
        description="off serves the session API without keys (local experiments only);"
        " on with no API keys refuses to start.",
    )
    mcp_endpoint: str = Field(
        default="http://127.0.0.1:8090/mcp", description="Recorded on new sessions."
    )
    agent_endpoint_allowlist: str = Field(
        default="",
        description="Hosts (agent.example.com, agent:8090) or URL prefixes"
        " (https://agents.example.com/mcp), comma-separated, that a session's mcpEndpoint"
        " must match; empty: any http(s) endpoint but link-local and metadata addresses.",
    )
    stt_provider: str = Field(
        default="local",
        validation_alias=AliasChoices("PARLEY_STT", "stt_provider"),
        description="Recorded on new sessions: the deployment's speech recognition provider.",
    )
    tts_provider: str = Field(
        default="local",
        validation_alias=AliasChoices("PARLEY_TTS", "tts_provider"),
        description="Recorded on new sessions: the deployment's speech synthesis provider.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("api_keys")
    @classmethod
    def _keys(cls, value: str) -> str:
        parse_api_keys(value)
        return value

    @model_validator(mode="after")
    def _own_endpoint_admitted(self) -> Self:
        """The endpoint the janitor records on every session obeys the same policy."""
        try:
            AgentEndpointPolicy(self.agent_endpoint_allowlist).check(self.mcp_endpoint)
        except EndpointRefusedError as exc:
            raise ValueError(f"PARLEY_JANITOR_MCP_ENDPOINT {exc}") from exc
        return self
