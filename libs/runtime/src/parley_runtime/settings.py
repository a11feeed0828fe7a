"""Settings every service shares; each service subclasses with its own prefix and port.

Kafka's are :class:`parley_bus.KafkaSettings`, which the services inherit too.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from the environment (and an optional ``.env`` file)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "redis_url"),
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("PARLEY_LOG_LEVEL", "log_level")
    )
    host: str = "127.0.0.1"
    port: int = 8000
