from __future__ import annotations

from parley_runtime import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class JanitorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_JANITOR_", env_file=".env", extra="ignore")

    port: int = 8084
    consumer_group: str = "parley-janitor"
    session_ttl_s: int = Field(
        default=3600, gt=0, description="Idle seconds before a session expires."
    )
    sweep_interval_s: float = Field(default=5.0, gt=0)
    mcp_endpoint: str = Field(
        default="http://127.0.0.1:8090/mcp", description="Recorded on new sessions."
    )
    stt_provider: str = "local"
    tts_provider: str = "local"
