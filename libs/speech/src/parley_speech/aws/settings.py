"""The Amazon Transcribe provider's settings, from the standard AWS variables.

Region, credentials, endpoint override and CA bundle use the names every AWS SDK and the
CLI read, so a deployment configures Transcribe as it configures any AWS client. Only
the recognition language is Parley's own. Without ``AWS_ACCESS_KEY_ID`` the SDK's
default chain finds credentials (profile, container or instance role).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AwsTranscribeSettingsError(ValueError):
    """The Transcribe provider was chosen but its settings cannot work."""


class AwsTranscribeSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    region: str = Field(
        default="us-east-1",
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"),
        description="The region whose Transcribe streaming endpoint is used.",
    )
    endpoint_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING"),
        description="Another HTTPS endpoint instead of the region's, e.g. the local fake "
        "(https://127.0.0.1:8443).",
    )
    ca_bundle: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_CA_BUNDLE"),
        description="PEM file of the CAs to trust instead of the system's (the local "
        "fake's certificate is signed by a CA of its own).",
    )
    access_key_id: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AWS_ACCESS_KEY_ID")
    )
    secret_access_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AWS_SECRET_ACCESS_KEY")
    )
    session_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_SESSION_TOKEN"),
        description="With temporary credentials (an assumed role) only.",
    )
    language: str = Field(
        default="en-US",
        validation_alias=AliasChoices("PARLEY_AWS_TRANSCRIBE_LANGUAGE"),
        description="Language of the callers' speech (a Transcribe streaming language code).",
    )

    def static_credentials(self) -> tuple[str, str, str | None] | None:
        """The key, secret and token from the environment; None = the default chain."""
        if self.access_key_id is None and self.secret_access_key is None:
            return None
        if self.access_key_id is None or self.secret_access_key is None:
            raise AwsTranscribeSettingsError(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together: set both, "
                "or neither to use the instance, container or profile credentials"
            )
        token = self.session_token.get_secret_value() if self.session_token else None
        return (
            self.access_key_id.get_secret_value(),
            self.secret_access_key.get_secret_value(),
            token,
        )

    def check(self) -> None:
        """Raise ``AwsTranscribeSettingsError`` for settings that cannot work."""
        self.static_credentials()
        if self.endpoint_url is not None and not self.endpoint_url.startswith("https://"):
            raise AwsTranscribeSettingsError(
                f"AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING={self.endpoint_url!r} must be an "
                "https:// URL: the SDK speaks HTTP/2 over TLS only"
            )
        if self.ca_bundle is not None and not self.ca_bundle.is_file():
            raise AwsTranscribeSettingsError(
                f"AWS_CA_BUNDLE={str(self.ca_bundle)!r} is not a file: point it at a PEM "
                "bundle of the CAs to trust, or unset it to trust the system's"
            )
