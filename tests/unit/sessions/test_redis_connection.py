"""Redis connection settings: one class read by every Redis client, refusing at start-up
what cannot work and naming the variable to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from parley_devstack.certificates import make_server_certificate
from parley_dialogue.settings import DialogueSettings
from parley_edge.settings import EdgeSettings
from parley_janitor.settings import JanitorSettings
from parley_sessions import RedisConnection, RedisSessionStore, RedisSettings, RedisSettingsError
from parley_stt.settings import SttSettings
from pydantic import ValidationError
from pydantic_settings import BaseSettings

TLS_URL = "rediss://parley:s3cr%40t@redis.internal:6380/2"
# Every service with a Redis client.
REDIS_CLIENTS: list[type[BaseSettings]] = [
    EdgeSettings,
    JanitorSettings,
    DialogueSettings,
    SttSettings,
]


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_server_certificate(tmp_path_factory.mktemp("ca")).ca_file


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REDIS_URL", "PARLEY_SESSION_STORE", "PARLEY_SESSION_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("CA_FILE", "CERT_FILE", "KEY_FILE", "CHECK_HOSTNAME"):
        monkeypatch.delenv(f"REDIS_SSL_{name}", raising=False)


@pytest.mark.parametrize("settings_class", REDIS_CLIENTS)
def test_every_redis_client_reads_the_same_variables(
    settings_class: type[BaseSettings], ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", TLS_URL)
    monkeypatch.setenv("REDIS_SSL_CA_FILE", str(ca_file))
    monkeypatch.setenv("REDIS_SSL_CHECK_HOSTNAME", "false")
    settings = settings_class()
    assert isinstance(settings, RedisSettings)
    connection = settings.redis_connection()
    assert connection == RedisConnection(
        TLS_URL, ssl_ca_file=str(ca_file), ssl_check_hostname=False
    )
    assert connection.client_options() == {
        "ssl_cert_reqs": "required",
        "ssl_ca_certs": str(ca_file),
        "ssl_certfile": None,
        "ssl_keyfile": None,
        "ssl_check_hostname": False,
    }


def test_a_missing_ca_file_stops_the_settings_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REDIS_URL", TLS_URL)
    monkeypatch.setenv("REDIS_SSL_CA_FILE", str(tmp_path / "ca.pem"))
    with pytest.raises(ValidationError, match=r"REDIS_SSL_CA_FILE=.*ca\.pem: no such file"):
        EdgeSettings()


def test_a_ca_file_that_is_no_certificate_is_refused(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    with pytest.raises(RedisSettingsError, match="holds no usable PEM certificate"):
        RedisConnection(TLS_URL, ssl_ca_file=str(not_pem))


def test_tls_files_without_rediss_are_refused(ca_file: Path) -> None:
    with pytest.raises(RedisSettingsError, match="use rediss:// for TLS"):
        RedisConnection("redis://redis.internal:6379/0", ssl_ca_file=str(ca_file))


def test_a_key_without_its_certificate_is_refused(ca_file: Path) -> None:
    with pytest.raises(RedisSettingsError, match="REDIS_SSL_KEY_FILE needs REDIS_SSL_CERT_FILE"):
        RedisConnection(TLS_URL, ssl_ca_file=str(ca_file), ssl_key_file=str(ca_file))


def test_a_client_certificate_that_does_not_load_is_refused(ca_file: Path) -> None:
    # A CA certificate without its key is no client certificate.
    with pytest.raises(RedisSettingsError, match=r"REDIS_SSL_CERT_FILE=.* could not be loaded"):
        RedisConnection(TLS_URL, ssl_cert_file=str(ca_file))


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://redis.internal:6379", "is not a Redis URL"),
        ("rediss://redis.internal:6380/0?ssl_cert_reqs=none", "set TLS options with REDIS_SSL"),
        ("redis://redis.internal:port/0", "invalid port"),
    ],
)
def test_urls_that_cannot_work_are_refused(url: str, refusal: str) -> None:
    with pytest.raises(RedisSettingsError, match=refusal):
        RedisConnection(url)


def test_messages_name_the_user_but_never_the_password() -> None:
    connection = RedisConnection(TLS_URL)
    assert connection.describe() == "user 'parley' over TLS"
    assert connection.where() == "redis.internal:6380"
    assert connection.redacted_url() == "rediss://parley:***@redis.internal:6380/2"
    assert "s3cr" not in repr(connection)
    assert RedisConnection("redis://:pw@h:6379").describe() == "the default user over plaintext"
    assert RedisConnection("redis://h").describe() == "no login over plaintext"


def test_a_plaintext_url_takes_no_tls_options() -> None:
    assert RedisConnection("redis://redis.internal:6379/0").client_options() == {}


def test_a_store_at_its_own_url_is_reached_with_the_same_tls_files(
    ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_SESSION_STORE_URL", "rediss://sessions.internal:6380/0")
    monkeypatch.setenv("REDIS_SSL_CA_FILE", str(ca_file))
    monkeypatch.setenv("REDIS_URL", TLS_URL)
    store = JanitorSettings().open_session_store()
    assert isinstance(store, RedisSessionStore)
    assert store._connection == RedisConnection(
        "rediss://sessions.internal:6380/0", ssl_ca_file=str(ca_file)
    )
