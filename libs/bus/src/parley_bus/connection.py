"""How a client reaches Kafka: the servers, the security protocol, SASL credentials and
TLS files, checked once and turned into what aiokafka and FastStream take.

Every Kafka client Parley builds (the services' brokers, the ``parley`` commands, the
local stack's admin) is made from one of these, so the four security protocols and the
SASL mechanisms behave the same everywhere. Messages name the environment variables
(:class:`parley_bus.settings.KafkaSettings`), which is where operators fix them.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.abc import AbstractTokenProvider
from faststream.security import (
    BaseSecurity,
    SASLOAuthBearer,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# FastStream's name for SASL/PLAIN is SASLPlaintext (the mechanism, not the protocol).
_PASSWORD_SECURITY: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}
OAUTHBEARER = "OAUTHBEARER"
MECHANISMS = (*_PASSWORD_SECURITY, OAUTHBEARER)


class KafkaSettingsError(ValueError):
    """A Kafka connection setting is missing, contradicts another or names a bad file."""


@dataclass(frozen=True)
class KafkaConnection:
    """One way of connecting to Kafka; invalid combinations are refused on creation.

    ``ssl_ca_file`` empty means the system's trust store (enough for managed services
    with public certificates); ``ssl_cert_file``/``ssl_key_file`` are a client
    certificate for brokers that ask for one (the key may sit in the certificate file).
    """

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    ssl_ca_file: str = ""
    ssl_cert_file: str = ""
    ssl_key_file: str = ""
    ssl_key_password: str = field(default="", repr=False)
    ssl_check_hostname: bool = True
    oauth_token_provider: AbstractTokenProvider | None = field(default=None, compare=False)
    _ssl_context: ssl.SSLContext | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "security_protocol", self.security_protocol.strip().upper())
        object.__setattr__(self, "sasl_mechanism", self.sasl_mechanism.strip().upper())
        self._check_protocol()
        self._check_sasl()
        self._check_tls_files()
        object.__setattr__(self, "_ssl_context", self._build_ssl_context())

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def ssl_context(self) -> ssl.SSLContext | None:
        return self._ssl_context

    def hosts(self) -> list[tuple[str, int]]:
        """The bootstrap servers as (host, port); a server without a port gets 9092."""
        found = []
        for server in self.bootstrap_servers.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host:
                host, port = port, "9092"
            found.append((host.strip("[]"), int(port)))
        return found

    def describe(self) -> str:
        """How this connection authenticates, for messages (never the password)."""
        if not self.uses_sasl:
            return "TLS without SASL" if self.uses_tls else "PLAINTEXT (no TLS, no SASL)"
        who = "a token" if self.sasl_mechanism == OAUTHBEARER else f"user {self.sasl_username!r}"
        carrier = "TLS" if self.uses_tls else "plaintext"
        return f"{who} (SASL {self.sasl_mechanism} over {carrier})"

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        return {"bootstrap_servers": self.bootstrap_servers, **self.connection_options()}

    def connection_options(self) -> dict[str, Any]:
        """The security part alone, as aiokafka's connections take it."""
        options: dict[str, Any] = {
            "security_protocol": self.security_protocol,
            "ssl_context": self._ssl_context,
        }
        if self.uses_sasl:
            options["sasl_mechanism"] = self.sasl_mechanism
            if self.sasl_mechanism == OAUTHBEARER:
                options["sasl_oauth_token_provider"] = self.oauth_token_provider
            else:
                options["sasl_plain_username"] = self.sasl_username
                options["sasl_plain_password"] = self.sasl_password
        return options

    def broker_options(self) -> dict[str, Any]:
        """Keyword arguments for FastStream's ``KafkaBroker`` (besides the servers)."""
        options: dict[str, Any] = {"security": self._broker_security()}
        if self.sasl_mechanism == OAUTHBEARER:
            options["sasl_oauth_token_provider"] = self.oauth_token_provider
        return options

    def _broker_security(self) -> BaseSecurity | None:
        context = self._ssl_context
        if not self.uses_sasl:
            return BaseSecurity(ssl_context=context) if context is not None else None
        if self.sasl_mechanism == OAUTHBEARER:
            return SASLOAuthBearer(ssl_context=context)
        security = _PASSWORD_SECURITY[self.sasl_mechanism]
        return security(self.sasl_username, self.sasl_password, ssl_context=context)

    def _check_protocol(self) -> None:
        if self.security_protocol not in PROTOCOLS:
            raise KafkaSettingsError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol!r} is not one of "
                f"{', '.join(PROTOCOLS)}"
            )

    def _check_sasl(self) -> None:
        if not self.uses_sasl:
            stray = [
                name
                for name, value in (
                    ("KAFKA_SASL_MECHANISM", self.sasl_mechanism),
                    ("KAFKA_SASL_USERNAME", self.sasl_username),
                    ("KAFKA_SASL_PASSWORD", self.sasl_password),
                )
                if value
            ]
            if stray:
                raise KafkaSettingsError(
                    f"{', '.join(stray)} set, but KAFKA_SECURITY_PROTOCOL is "
                    f"{self.security_protocol}: use SASL_SSL (or SASL_PLAINTEXT) to log in "
                    "with SASL, or remove them"
                )
            return
        if self.sasl_mechanism not in MECHANISMS:
            shown = repr(self.sasl_mechanism) if self.sasl_mechanism else "not set"
            raise KafkaSettingsError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_MECHANISM, "
                f"one of {', '.join(MECHANISMS)} ({shown})"
            )
        if self.sasl_mechanism == OAUTHBEARER:
            if self.oauth_token_provider is None:
                raise KafkaSettingsError(
                    "KAFKA_SASL_MECHANISM=OAUTHBEARER needs a token provider: set "
                    "KAFKA_SASL_OAUTH_TOKEN_PROVIDER to module:factory"
                )
            return
        missing = [
            name
            for name, value in (
                ("KAFKA_SASL_USERNAME", self.sasl_username),
                ("KAFKA_SASL_PASSWORD", self.sasl_password),
            )
            if not value
        ]
        if missing:
            raise KafkaSettingsError(
                f"KAFKA_SASL_MECHANISM={self.sasl_mechanism} needs {' and '.join(missing)}"
            )

    def _check_tls_files(self) -> None:
        files = {
            "KAFKA_SSL_CA_FILE": self.ssl_ca_file,
            "KAFKA_SSL_CERT_FILE": self.ssl_cert_file,
            "KAFKA_SSL_KEY_FILE": self.ssl_key_file,
        }
        named = {name: path for name, path in files.items() if path}
        if named and not self.uses_tls:
            raise KafkaSettingsError(
                f"{', '.join(named)} set, but KAFKA_SECURITY_PROTOCOL is "
                f"{self.security_protocol}: use SSL or SASL_SSL for TLS, or remove them"
            )
        for name, path in named.items():
            if not Path(path).is_file():
                raise KafkaSettingsError(f"{name}={path}: no such file")
        if (self.ssl_key_file or self.ssl_key_password) and not self.ssl_cert_file:
            raise KafkaSettingsError(
                "KAFKA_SSL_KEY_FILE / KAFKA_SSL_KEY_PASSWORD need KAFKA_SSL_CERT_FILE, the "
                "client certificate the key belongs to"
            )

    def _build_ssl_context(self) -> ssl.SSLContext | None:
        if not self.uses_tls:
            return None
        try:
            context = ssl.create_default_context(cafile=self.ssl_ca_file or None)
        except ssl.SSLError as exc:
            raise KafkaSettingsError(
                f"KAFKA_SSL_CA_FILE={self.ssl_ca_file} holds no usable PEM certificate: {exc}"
            ) from exc
        # Without the name check any certificate the CA signed would pass for the broker.
        context.check_hostname = self.ssl_check_hostname
        if self.ssl_cert_file:
            try:
                context.load_cert_chain(
                    self.ssl_cert_file,
                    self.ssl_key_file or None,
                    password=self.ssl_key_password or None,
                )
            except ssl.SSLError as exc:
                raise KafkaSettingsError(
                    f"the client certificate KAFKA_SSL_CERT_FILE={self.ssl_cert_file} could "
                    "not be loaded with its key (KAFKA_SSL_KEY_FILE; an encrypted key needs "
                    f"KAFKA_SSL_KEY_PASSWORD): {exc}"
                ) from exc
        return context
