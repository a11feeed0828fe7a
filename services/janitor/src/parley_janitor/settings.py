from __future__ import annotations

from parley_bus import KafkaSettings
from parley_runtime import ServiceSettings
from parley_sessions import SessionStoreSettings
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict


class JanitorSettings(ServiceSettings, KafkaSettings, SessionStoreSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_JANITOR_", env_file=".env", extra="ignore")

    port: int = 8084
    consumer_group: str = "parley-janitor"
    session_ttl_s: int = Field(
        default=3600, gt=0, description="Idle seconds before a session expires."
    )
    sweep_interval_s: float = Field(
        default=300.0, gt=0, description="Seconds between expiry sweeps (cleanupInterval)."
    )
    rate_limit_window_s: float = Field(
        default=60.0, gt=0, description="Window the session API's request limits count over."
    )
    mcp_endpoint: str = Field(
        default="http://127.0.0.1:8090/mcp", description="Recorded on new sessions."
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
