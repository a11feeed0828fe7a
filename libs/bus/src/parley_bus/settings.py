"""The Kafka settings every service and the ``parley`` commands read, named as Kafka's
own clients name them (``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``, ...).

Service settings classes inherit this one; its variables carry no service prefix.
An invalid combination stops the process while it reads its settings, with a message
naming the variable to fix, instead of failing later on the first connection.

Reading them also sets how the process seals caller text in the events it writes and
opens it in those it reads (:mod:`parley_contracts.codec`): every Kafka client reads
these settings once as it starts, so producers and consumers cannot be given different
keys than their connection.
"""

from __future__ import annotations

import importlib
from typing import Self

from aiokafka.abc import AbstractTokenProvider
from parley_contracts import Keyring, TextSealing, use_text_sealing
from parley_contracts.keyring import KEYS_ENV
from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley_bus.connection import KafkaConnection, KafkaSettingsError


def _variable(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=_variable("KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka bootstrap servers, comma-separated host:port.",
    )
    kafka_security_protocol: str = Field(
        default="PLAINTEXT",
        validation_alias=_variable("KAFKA_SECURITY_PROTOCOL"),
        description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
    )
    kafka_sasl_mechanism: str = Field(
        default="",
        validation_alias=_variable("KAFKA_SASL_MECHANISM"),
        description="With SASL_*: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.",
    )
    kafka_sasl_username: str = Field(default="", validation_alias=_variable("KAFKA_SASL_USERNAME"))
    kafka_sasl_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=_variable("KAFKA_SASL_PASSWORD")
    )
    kafka_sasl_oauth_token_provider: str = Field(
        default="",
        validation_alias=_variable("KAFKA_SASL_OAUTH_TOKEN_PROVIDER"),
        description="With OAUTHBEARER: module:factory returning an aiokafka "
        "AbstractTokenProvider (e.g. one signing MSK IAM tokens).",
    )
    kafka_ssl_ca_file: str = Field(
        default="",
        validation_alias=_variable("KAFKA_SSL_CA_FILE"),
        description="PEM CA bundle the broker certificates are checked against; empty: "
        "the system's trust store.",
    )
    kafka_ssl_cert_file: str = Field(
        default="",
        validation_alias=_variable("KAFKA_SSL_CERT_FILE"),
        description="PEM client certificate, for brokers that ask for one (mutual TLS).",
    )
    kafka_ssl_key_file: str = Field(default="", validation_alias=_variable("KAFKA_SSL_KEY_FILE"))
    kafka_ssl_key_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=_variable("KAFKA_SSL_KEY_PASSWORD")
    )
    kafka_ssl_check_hostname: bool = Field(
        default=True,
        validation_alias=_variable("KAFKA_SSL_CHECK_HOSTNAME"),
        description="Whether the broker certificate must name the host connected to.",
    )
    kafka_encrypt_text: bool = Field(
        default=False,
        validation_alias=_variable("PARLEY_KAFKA_ENCRYPT_TEXT"),
        description="Seal transcripts, reply sentences and transfer announcements on Kafka "
        f"with the newest key of {KEYS_ENV}; every service reading them needs the keys.",
    )
    session_encryption_keys: str = Field(
        default="",
        validation_alias=AliasChoices(KEYS_ENV, "session_encryption_keys"),
        description="Fernet keys, comma-separated, newest first (sessions and event text).",
    )
    _kafka_connection: KafkaConnection | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _connect_checked(self) -> Self:
        self._kafka_connection = KafkaConnection(
            bootstrap_servers=self.kafka_bootstrap_servers,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=self.kafka_sasl_password.get_secret_value(),
            ssl_ca_file=self.kafka_ssl_ca_file,
            ssl_cert_file=self.kafka_ssl_cert_file,
            ssl_key_file=self.kafka_ssl_key_file,
            ssl_key_password=self.kafka_ssl_key_password.get_secret_value(),
            ssl_check_hostname=self.kafka_ssl_check_hostname,
            oauth_token_provider=load_token_provider(self.kafka_sasl_oauth_token_provider),
        )
        use_text_sealing(self._text_sealing())
        return self

    def _text_sealing(self) -> TextSealing:
        keyring = Keyring.from_setting(self.session_encryption_keys)
        if self.kafka_encrypt_text and not keyring:
            raise KafkaSettingsError(
                f"PARLEY_KAFKA_ENCRYPT_TEXT is on but {KEYS_ENV} is empty; set the keys (the"
                " session store's) or turn text sealing off"
            )
        return TextSealing(keyring, seal=self.kafka_encrypt_text)

    def kafka_connection(self) -> KafkaConnection:
        assert self._kafka_connection is not None  # set by the validator
        return self._kafka_connection


def load_token_provider(reference: str) -> AbstractTokenProvider | None:
    """``package.module:factory`` called without arguments; empty: no provider."""
    if not reference:
        return None
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise KafkaSettingsError(
            f"KAFKA_SASL_OAUTH_TOKEN_PROVIDER={reference!r} is not module:factory"
        )
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise KafkaSettingsError(
            f"KAFKA_SASL_OAUTH_TOKEN_PROVIDER={reference!r} cannot be imported: {exc}"
        ) from exc
    provider = factory()
    if not isinstance(provider, AbstractTokenProvider):
        raise KafkaSettingsError(
            f"KAFKA_SASL_OAUTH_TOKEN_PROVIDER={reference!r} made a "
            f"{type(provider).__name__}, not an aiokafka.abc.AbstractTokenProvider"
        )
    return provider
