"""Kafka connection settings: every protocol and mechanism reaches aiokafka and FastStream
the same way, and contradictory settings are refused with the variable to fix."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi
import pytest
from aiokafka.abc import AbstractTokenProvider
from faststream.kafka.security import parse_security
from parley_bus import KafkaConnection, KafkaSettings, KafkaSettingsError
from pydantic import ValidationError

CA = certifi.where()


class StaticToken(AbstractTokenProvider):  # type: ignore[misc]  # aiokafka.abc is untyped
    async def token(self) -> str:
        return "token"


def make_token_provider() -> StaticToken:
    return StaticToken()


def make_something_else() -> object:
    return object()


@pytest.mark.parametrize(
    ("protocol", "mechanism"),
    [
        ("PLAINTEXT", ""),
        ("SSL", ""),
        ("SASL_PLAINTEXT", "PLAIN"),
        ("SASL_PLAINTEXT", "SCRAM-SHA-256"),
        ("SASL_SSL", "SCRAM-SHA-512"),
        ("SASL_SSL", "PLAIN"),
        ("SASL_SSL", "OAUTHBEARER"),
    ],
)
def test_the_broker_and_plain_clients_connect_alike(protocol: str, mechanism: str) -> None:
    oauth = mechanism == "OAUTHBEARER"
    password = bool(mechanism) and not oauth
    connection = KafkaConnection(
        "broker:9093",
        security_protocol=protocol.lower(),
        sasl_mechanism=mechanism,
        sasl_username="app" if password else "",
        sasl_password="secret" if password else "",
        ssl_ca_file=CA if "SSL" in protocol else "",
        oauth_token_provider=StaticToken() if oauth else None,
    )
    client = connection.client_options()
    broker = parse_security(connection.broker_options()["security"])
    assert client["security_protocol"] == protocol
    assert broker.get("security_protocol", "PLAINTEXT") == protocol
    assert broker.get("sasl_mechanism") == client.get("sasl_mechanism") == (mechanism or None)
    assert broker.get("sasl_plain_password") == client.get("sasl_plain_password")
    assert (client["ssl_context"] is not None) == ("SSL" in protocol)
    if oauth:
        assert connection.broker_options()["sasl_oauth_token_provider"] is not None
        assert client["sasl_oauth_token_provider"] is not None


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"security_protocol": "TLS"}, "KAFKA_SECURITY_PROTOCOL='TLS' is not one of"),
        ({"security_protocol": "SASL_SSL"}, "needs KAFKA_SASL_MECHANISM"),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512"},
            "SCRAM-SHA-512 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
        ),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "GSSAPI"},
            "one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER ('GSSAPI')",
        ),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "OAUTHBEARER"},
            "set KAFKA_SASL_OAUTH_TOKEN_PROVIDER",
        ),
        (
            {"sasl_mechanism": "PLAIN", "sasl_username": "app"},
            "KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME set, but KAFKA_SECURITY_PROTOCOL is "
            "PLAINTEXT",
        ),
        ({"ssl_ca_file": CA}, "KAFKA_SSL_CA_FILE set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT"),
        (
            {"security_protocol": "SSL", "ssl_ca_file": "/nowhere/ca.pem"},
            "KAFKA_SSL_CA_FILE=/nowhere/ca.pem: no such file",
        ),
        (
            {"security_protocol": "SSL", "ssl_key_file": CA},
            "need KAFKA_SSL_CERT_FILE",
        ),
    ],
)
def test_unusable_settings_are_refused_naming_the_variable(
    options: dict[str, str], named: str
) -> None:
    with pytest.raises(KafkaSettingsError) as refused:
        KafkaConnection("broker:9093", **options)  # type: ignore[arg-type]
    assert named in str(refused.value)


def test_a_file_that_is_no_certificate_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "ca.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(KafkaSettingsError, match="holds no usable PEM certificate"):
        KafkaConnection("broker:9093", security_protocol="SSL", ssl_ca_file=str(junk))


def test_hostname_checking_can_be_turned_off_but_not_verification() -> None:
    checked = KafkaConnection("b:9093", security_protocol="SSL", ssl_ca_file=CA).ssl_context
    unchecked = KafkaConnection("b:9093", security_protocol="SSL", ssl_check_hostname=False)
    assert checked is not None and checked.check_hostname
    assert unchecked.ssl_context is not None and not unchecked.ssl_context.check_hostname
    assert unchecked.ssl_context.verify_mode == ssl.CERT_REQUIRED


def test_settings_are_read_under_kafkas_own_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "KAFKA_BOOTSTRAP_SERVERS": "a:9093,b:9093",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
        "KAFKA_SASL_USERNAME": "parley-stt",
        "KAFKA_SASL_PASSWORD": "s3cret",
        "KAFKA_SSL_CA_FILE": CA,
        "KAFKA_SSL_CHECK_HOSTNAME": "false",
    }.items():
        monkeypatch.setenv(name, value)
    settings = KafkaSettings(_env_file=None)  # type: ignore[call-arg]
    connection = settings.kafka_connection()
    assert connection.hosts() == [("a", 9093), ("b", 9093)]
    assert connection.client_options()["sasl_plain_password"] == "s3cret"
    assert connection.ssl_context is not None and not connection.ssl_context.check_hostname
    # Neither the settings nor the connection show the password.
    assert "s3cret" not in repr(settings) + repr(connection) + connection.describe()
    assert connection.describe() == "user 'parley-stt' (SASL SCRAM-SHA-256 over TLS)"


def test_settings_that_contradict_each_other_stop_the_process_while_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "PLAIN")
    with pytest.raises(ValidationError, match="PLAIN needs KAFKA_SASL_USERNAME"):
        KafkaSettings(_env_file=None)  # type: ignore[call-arg]


def test_an_oauth_token_provider_is_loaded_from_its_factory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "OAUTHBEARER")
    monkeypatch.setenv("KAFKA_SASL_OAUTH_TOKEN_PROVIDER", f"{__name__}:make_token_provider")
    connection = KafkaSettings(_env_file=None).kafka_connection()  # type: ignore[call-arg]
    assert isinstance(connection.oauth_token_provider, StaticToken)
    monkeypatch.setenv("KAFKA_SASL_OAUTH_TOKEN_PROVIDER", f"{__name__}:make_something_else")
    with pytest.raises(ValidationError, match="not an aiokafka"):
        KafkaSettings(_env_file=None)  # type: ignore[call-arg]
