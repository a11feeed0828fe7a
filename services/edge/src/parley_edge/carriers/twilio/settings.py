"""Twilio's settings, part of :class:`parley_edge.settings.EdgeSettings`.

The account and auth token are the unprefixed variables the rest of a Twilio deployment
already uses; the REST API's address and timeout are the edge's own
(``PARLEY_EDGE_TWILIO_*``).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TwilioSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    twilio_auth_token: str = Field(
        default="dev-auth-token",
        validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "twilio_auth_token"),
        description="Signs webhooks; REST auth.",
    )
    twilio_account_sid: str = Field(
        default="",
        validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "twilio_account_sid"),
        description="Account for REST call control; empty: the AccountSid of each stream.",
    )
    twilio_api_url: str = Field(
        default="https://api.twilio.com",
        description="Where the Twilio REST API is reached (transfer, hang-up).",
    )
    twilio_api_timeout_s: float = Field(default=5.0, gt=0)
