"""One session-store setting, read the same way by every service that opens the store."""

from __future__ import annotations

import logging

import pytest
from parley_dialogue.settings import DialogueSettings
from parley_janitor.settings import JanitorSettings
from parley_sessions import (
    MemorySessionStore,
    PostgresSessionStore,
    RedisSessionStore,
    SessionStoreSettings,
)
from parley_stt.settings import SttSettings
from pydantic import ValidationError
from pydantic_settings import BaseSettings

DATABASE = "postgresql://parley:secret@db.internal:5432/parley"
# Every service settings class that opens the session store.
STORE_USERS: list[type[BaseSettings]] = [JanitorSettings, DialogueSettings, SttSettings]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "PARLEY_SESSION_STORE",
        "PARLEY_SESSION_STORE_URL",
        "PARLEY_JANITOR_STORAGE_TYPE",
        "PARLEY_JANITOR_STORAGE_URL",
        "DATABASE_URL",
        "REDIS_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("settings_class", STORE_USERS)
def test_every_service_reads_the_one_store_setting(
    settings_class: type[BaseSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_SESSION_STORE", "postgres")
    monkeypatch.setenv("DATABASE_URL", DATABASE)
    settings = settings_class()
    assert isinstance(settings, SessionStoreSettings)
    assert settings.session_store == "postgres"
    assert settings.store_connection() == DATABASE


def test_the_connection_defaults_to_the_chosen_servers_url() -> None:
    redis = SessionStoreSettings(redis_url="redis://cache:6379/2", database_url=DATABASE)
    assert redis.store_connection() == "redis://cache:6379/2"
    postgres = redis.model_copy(update={"session_store": "postgres"})
    assert postgres.store_connection() == DATABASE
    explicit = SessionStoreSettings(session_store="postgres", session_store_url="dbname=x")
    assert explicit.store_connection() == "dbname=x"


def test_postgres_without_a_connection_string_is_refused() -> None:
    with pytest.raises(ValidationError, match="set DATABASE_URL"):
        SessionStoreSettings(session_store="postgres")


def test_an_unknown_store_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_SESSION_STORE", "mongo")
    with pytest.raises(ValidationError, match=r"PARLEY_SESSION_STORE\n.*'redis' or 'postgres'"):
        SessionStoreSettings()


async def test_the_chosen_store_is_opened() -> None:
    memory = SessionStoreSettings(session_store="memory").open_session_store()
    assert isinstance(memory, MemorySessionStore)
    redis = SessionStoreSettings(session_store="redis").open_session_store()
    assert isinstance(redis, RedisSessionStore)
    await redis.close_store()
    postgres = SessionStoreSettings(session_store="postgres", database_url=DATABASE)
    assert isinstance(postgres.open_session_store(), PostgresSessionStore)  # connects lazily


@pytest.mark.parametrize("settings_class", STORE_USERS)
def test_the_janitors_old_names_still_work(
    settings_class: type[BaseSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_JANITOR_STORAGE_TYPE", "postgres")
    monkeypatch.setenv("PARLEY_JANITOR_STORAGE_URL", "dbname=old")
    settings = settings_class()
    assert isinstance(settings, SessionStoreSettings)
    assert settings.session_store == "postgres"
    assert settings.store_connection() == "dbname=old"


def test_the_new_names_win_over_the_old(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_JANITOR_STORAGE_TYPE", "postgres")
    monkeypatch.setenv("PARLEY_SESSION_STORE", "memory")
    assert SessionStoreSettings().session_store == "memory"


def test_opening_the_store_under_an_old_name_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PARLEY_JANITOR_STORAGE_TYPE", "memory")
    with caplog.at_level(logging.WARNING, logger="parley_sessions.settings"):
        SessionStoreSettings().open_session_store()
    warned = [r.__dict__.get("setting") for r in caplog.records]
    assert [s for s in warned if s] == ["PARLEY_JANITOR_STORAGE_TYPE"]
    assert "set PARLEY_SESSION_STORE instead" in caplog.text
