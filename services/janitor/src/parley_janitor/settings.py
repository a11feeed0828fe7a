from __future__ import annotations

from parley_runtime import ServiceSettings
from parley_sessions import StorageType
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict


class JanitorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_JANITOR_", env_file=".env", extra="ignore")

    port: int = 8084
    consumer_group: str = "parley-janitor"
    session_ttl_s: int = Field(
        default=3600, gt=0, description="Idle seconds before a session expires."
    )
    sweep_interval_s: float = Field(
        default=300.0, gt=0, description="Seconds between expiry sweeps (cleanupInterval)."
    )
    storage_type: StorageType = Field(
        default="redis", description="Where sessions live: memory, redis or postgres."
    )
    storage_url: str = Field(
        default="",
        description="Connection string for the session store; empty: REDIS_URL for redis,"
        " DATABASE_URL for postgres.",
    )
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    encryption_keys: str = Field(
        default="",
        validation_alias=AliasChoices("PARLEY_SESSIONS_ENCRYPTION_KEYS", "encryption_keys"),
        description="Fernet keys sealing stored conversations, comma-separated, newest first.",
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

    def store_connection(self) -> str:
        if self.storage_url:
            return self.storage_url
        if self.storage_type == "postgres":
            if not self.database_url:
                raise ValueError(
                    "session storage is postgres but no connection string is set;"
                    " set PARLEY_JANITOR_STORAGE_URL or DATABASE_URL"
                )
            return self.database_url
        return self.redis_url
