"""The Redis settings every service with a Redis client reads: the URL and the TLS files.

The edge (call index), the janitor (sessions, rate limits), dialogue and stt (sessions)
all inherit this class, so one set of variables, without a service prefix, reaches them
all. An invalid combination stops the process while it reads its settings, with a
message naming the variable to fix, instead of failing on the first command.
"""

from __future__ import annotations

from typing import Self

from pydantic import AliasChoices, Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley_sessions.redis_connection import RedisConnection


class RedisSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "redis_url"),
        description="redis://[user:password@]host:port/db, or rediss:// for TLS; the"
        " password percent-encoded.",
    )
    redis_ssl_ca_file: str = Field(
        default="",
        validation_alias=AliasChoices("REDIS_SSL_CA_FILE", "redis_ssl_ca_file"),
        description="With rediss://: PEM CA bundle the server certificate is checked"
        " against; empty: the system's trust store.",
    )
    redis_ssl_cert_file: str = Field(
        default="",
        validation_alias=AliasChoices("REDIS_SSL_CERT_FILE", "redis_ssl_cert_file"),
        description="With rediss://: PEM client certificate, for servers that ask for one.",
    )
    redis_ssl_key_file: str = Field(
        default="",
        validation_alias=AliasChoices("REDIS_SSL_KEY_FILE", "redis_ssl_key_file"),
        description="The client certificate's key; empty: in REDIS_SSL_CERT_FILE.",
    )
    redis_ssl_check_hostname: bool = Field(
        default=True,
        validation_alias=AliasChoices("REDIS_SSL_CHECK_HOSTNAME", "redis_ssl_check_hostname"),
        description="Whether the server certificate must name the host connected to.",
    )
    _redis_connection: RedisConnection | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _redis_checked(self) -> Self:
        self._redis_connection = self.redis_connection(self.redis_url)
        return self

    def redis_connection(self, url: str | None = None) -> RedisConnection:
        """How to reach REDIS_URL, or another Redis ``url`` with the same TLS files."""
        if url is None and self._redis_connection is not None:
            return self._redis_connection
        return RedisConnection(
            url or self.redis_url,
            ssl_ca_file=self.redis_ssl_ca_file,
            ssl_cert_file=self.redis_ssl_cert_file,
            ssl_key_file=self.redis_ssl_key_file,
            ssl_check_hostname=self.redis_ssl_check_hostname,
        )
