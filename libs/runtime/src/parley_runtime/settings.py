"""Settings every service shares; each service subclasses with its own prefix and port.

Kafka's are :class:`parley_bus.KafkaSettings` and Redis's
:class:`parley_sessions.RedisSettings`, which the services using them inherit too.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from the environment (and an optional ``.env`` file)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("PARLEY_LOG_LEVEL", "log_level")
    )
    host: str = "127.0.0.1"
    port: int = 8000
