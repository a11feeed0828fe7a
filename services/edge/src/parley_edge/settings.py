from __future__ import annotations

from parley_runtime import ServiceSettings
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict


class EdgeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_EDGE_", env_file=".env", extra="ignore")

    port: int = 8080
    public_url: str = Field(
        default="http://127.0.0.1:8080",
        validation_alias=AliasChoices("PARLEY_PUBLIC_URL", "public_url"),
        description="The URL Twilio reaches this edge at; webhooks are signed over it.",
    )
    twilio_auth_token: str = Field(
        default="dev-auth-token",
        validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "twilio_auth_token"),
    )
    slot: int = Field(default=0, ge=0, description="This instance's stable edge slot.")
    playback_ahead_ms: int = Field(default=100, ge=20, le=1000)
