"""Why Kafka could not be reached, in words an operator can act on.

aiokafka reports every failed start the same way ("Unable to bootstrap from ..."),
whether the password was wrong, the certificate untrusted or the listener speaks
another protocol. When a client fails to start, :func:`explain_failure` opens one
connection per bootstrap server itself, which raises the real cause, and turns it
into one of the errors below naming the setting to fix.
"""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import (
    IllegalSaslStateError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from aiokafka.protocol.metadata import MetadataRequest

from parley_bus.connection import KafkaConnection

# X509_V_ERR_HOSTNAME_MISMATCH: the certificate is trusted but names another host.
_HOSTNAME_MISMATCH = 62


class KafkaAccessError(ConnectionError):
    """Kafka cannot be used with the connection settings given."""


class KafkaUnreachableError(KafkaAccessError):
    """Nothing answers at a bootstrap server."""


class KafkaAuthenticationError(KafkaAccessError):
    """The broker refused the SASL login."""


class KafkaTlsError(KafkaAccessError):
    """The TLS handshake failed: untrusted or misnamed certificate, or a missing client one."""


class KafkaListenerMismatchError(KafkaAccessError):
    """The listener speaks another security protocol than KAFKA_SECURITY_PROTOCOL."""


async def explain_failure(
    connection: KafkaConnection, timeout_s: float = 10.0
) -> KafkaAccessError | None:
    """The reason the first bootstrap server that fails gives; None if they all work
    now (the failure was passing, or lies beyond connecting and logging in)."""
    for host, port in connection.hosts():
        try:
            await _try(connection, host, port, timeout_s)
        except (KafkaError, OSError, TimeoutError) as exc:
            return classify(exc, connection, host, port)
    return None


async def _try(connection: KafkaConnection, host: str, port: int, timeout_s: float) -> None:
    conn = await asyncio.wait_for(
        create_conn(
            host,
            port,
            request_timeout_ms=int(timeout_s * 1000),
            **connection.connection_options(),
        ),
        timeout_s,
    )
    try:
        # A SASL listener answers the version lookup of an unauthenticated client and
        # hangs up on its next request; this one finds that out.
        await conn.send(MetadataRequest([]))
    finally:
        conn.close()


def classify(
    exc: BaseException, connection: KafkaConnection, host: str, port: int
) -> KafkaAccessError:
    where = f"{host}:{port}"
    protocol = connection.security_protocol
    if isinstance(exc, SaslAuthenticationFailed):
        return KafkaAuthenticationError(
            f"Kafka at {where} refused the credentials of {connection.describe()}: check "
            f"KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM "
            f"(the broker said: {exc})"
        )
    if isinstance(exc, UnsupportedSaslMechanismError):
        return KafkaAuthenticationError(
            f"Kafka at {where} does not offer SASL {connection.sasl_mechanism}: set "
            f"KAFKA_SASL_MECHANISM to one it offers ({exc})"
        )
    if isinstance(exc, IllegalSaslStateError):
        return KafkaListenerMismatchError(
            f"Kafka at {where} takes no SASL login on this listener: check "
            f"KAFKA_SECURITY_PROTOCOL (now {protocol}) against the broker's listener"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _untrusted_certificate(exc, where, host)
    if isinstance(exc, ssl.SSLError):
        return _tls_refused(exc, where, protocol)
    if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
        return KafkaUnreachableError(
            f"nothing answers at {where} ({exc}): check KAFKA_BOOTSTRAP_SERVERS and that "
            "the broker is running"
        )
    if isinstance(exc, KafkaConnectionError | TimeoutError) and not connection.uses_tls:
        expected = "TLS" if connection.uses_sasl else "TLS or a SASL login"
        return KafkaListenerMismatchError(
            f"Kafka at {where} hung up on a {protocol} client: its listener probably "
            f"expects {expected}; check KAFKA_SECURITY_PROTOCOL"
        )
    if isinstance(exc, TimeoutError):
        return KafkaUnreachableError(
            f"Kafka at {where} did not answer in time: check KAFKA_BOOTSTRAP_SERVERS and "
            "that nothing between here and the broker drops the connection"
        )
    return KafkaAccessError(
        f"Kafka at {where} could not be used as {connection.describe()}: {exc!r}"
    )


def _untrusted_certificate(
    exc: ssl.SSLCertVerificationError, where: str, host: str
) -> KafkaTlsError:
    if exc.verify_code == _HOSTNAME_MISMATCH:
        return KafkaTlsError(
            f"the TLS certificate of Kafka at {where} does not name {host} "
            f"({exc.verify_message}): connect by a name the certificate lists, or set "
            "KAFKA_SSL_CHECK_HOSTNAME=false"
        )
    return KafkaTlsError(
        f"the TLS certificate of Kafka at {where} is not trusted ({exc.verify_message}): "
        "set KAFKA_SSL_CA_FILE to the CA that signed it"
    )


def _tls_refused(exc: ssl.SSLError, where: str, protocol: str) -> KafkaAccessError:
    reason = str(exc.reason or exc)
    if "CERTIFICATE_REQUIRED" in reason:
        return KafkaTlsError(
            f"Kafka at {where} asks for a client certificate: set KAFKA_SSL_CERT_FILE and "
            "KAFKA_SSL_KEY_FILE"
        )
    return KafkaListenerMismatchError(
        f"Kafka at {where} does not answer TLS ({reason}): its listener is probably "
        f"PLAINTEXT or SASL_PLAINTEXT; check KAFKA_SECURITY_PROTOCOL (now {protocol})"
    )
