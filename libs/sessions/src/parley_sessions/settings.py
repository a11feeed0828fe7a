"""Where sessions live: one setting that every service opening the store reads.

The janitor creates a call's session and the dialogue service records its turns, so both
must open the same store. Service settings classes inherit this one; its variables carry
no service prefix (``PARLEY_SESSION_STORE``, not ``PARLEY_JANITOR_...``).
"""

from __future__ import annotations

import logging
from typing import Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from parley_sessions.codec import SessionCodec, parse_keys
from parley_sessions.factory import StorageType, open_session_store
from parley_sessions.redis_connection import RedisConnection
from parley_sessions.redis_settings import RedisSettings
from parley_sessions.store import SessionStore

log = logging.getLogger(__name__)

# The janitor's own names from before every service shared the setting:
# field holding the old name's value -> (old name, new name).
DEPRECATED_NAMES = {
    "deprecated_session_store": ("PARLEY_JANITOR_STORAGE_TYPE", "PARLEY_SESSION_STORE"),
    "deprecated_session_store_url": ("PARLEY_JANITOR_STORAGE_URL", "PARLEY_SESSION_STORE_URL"),
}


class SessionStoreSettings(RedisSettings):
    """A Redis store is reached with the REDIS_SSL_* settings of :class:`RedisSettings`,
    at PARLEY_SESSION_STORE_URL when that is set, else at REDIS_URL."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    session_store: StorageType = Field(
        default="redis",
        validation_alias=AliasChoices("PARLEY_SESSION_STORE", "session_store"),
        description="Where sessions live, for every service: memory (one process only),"
        " redis or postgres.",
    )
    session_store_url: str = Field(
        default="",
        validation_alias=AliasChoices("PARLEY_SESSION_STORE_URL", "session_store_url"),
        description="The store's connection string; empty: REDIS_URL for redis,"
        " DATABASE_URL for postgres.",
    )
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    session_encryption_keys: str = Field(
        default="",
        validation_alias=AliasChoices("PARLEY_SESSIONS_ENCRYPTION_KEYS", "session_encryption_keys"),
        description="Fernet keys sealing stored conversations, comma-separated, newest first.",
    )
    deprecated_session_store: StorageType | None = Field(
        default=None, validation_alias=AliasChoices("PARLEY_JANITOR_STORAGE_TYPE")
    )
    deprecated_session_store_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PARLEY_JANITOR_STORAGE_URL")
    )

    @model_validator(mode="after")
    def _resolve(self) -> Self:
        """The deprecated names count only where the new ones are not set; a postgres
        store without a connection string is refused before anything starts."""
        if self.deprecated_session_store and "session_store" not in self.model_fields_set:
            self.session_store = self.deprecated_session_store
        if self.deprecated_session_store_url and "session_store_url" not in self.model_fields_set:
            self.session_store_url = self.deprecated_session_store_url
        if self.session_store == "postgres" and not self.store_connection():
            raise ValueError(
                "PARLEY_SESSION_STORE is postgres but no connection string is set;"
                " set DATABASE_URL (or PARLEY_SESSION_STORE_URL)"
            )
        return self

    def store_connection(self) -> str:
        if self.session_store_url:
            return self.session_store_url
        return self.database_url if self.session_store == "postgres" else self.redis_url

    def _store_target(self) -> str | RedisConnection:
        if self.session_store == "redis":
            return self.redis_connection(self.store_connection())
        return self.store_connection()

    def deprecated_names_used(self) -> list[tuple[str, str]]:
        """(old name, new name) for each deprecated variable that is set."""
        return [
            names for field, names in DEPRECATED_NAMES.items() if getattr(self, field) is not None
        ]

    def open_session_store(self) -> SessionStore:
        """The configured store, sealing with the configured keys."""
        for old, new in self.deprecated_names_used():
            log.warning(
                f"{old} is deprecated and will be removed; set {new} instead"
                " (every service that reads sessions honours it)",
                extra={"event": "sessions.deprecated_setting", "setting": old},
            )
        codec = SessionCodec(parse_keys(self.session_encryption_keys))
        return open_session_store(self.session_store, self._store_target(), codec)
