"""Why Redis refused a client, in words an operator can act on.

redis-py reports a refused password, an untrusted certificate and a plaintext client on
a TLS port as the same ``ConnectionError`` with the low-level cause in its context.
:func:`classify` turns one into the errors below, naming the setting to fix; where the
error alone cannot tell a protocol mismatch from a network fault (a reset connection, a
handshake that never ends), :func:`explain` asks the port itself which protocol it
speaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

from redis.exceptions import AuthenticationError, NoPermissionError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from parley_sessions.redis_connection import RedisConnection
from parley_sessions.redis_rights import RedisRights

# X509_V_ERR_HOSTNAME_MISMATCH / X509_V_ERR_IP_ADDRESS_MISMATCH: trusted, but for another host.
_NAME_MISMATCH = (62, 64)
_WRONG_LOGIN = ("WRONGPASS", "invalid username-password", "invalid password")
DOCS = 'docs/deploy.md, "Redis over TLS"'


class RedisAccessError(ConnectionError):
    """Redis cannot be used with the connection settings given."""


class RedisUnreachableError(RedisAccessError):
    """Nothing answers at REDIS_URL's host and port (an outage, not a setting)."""


class RedisAuthenticationError(RedisAccessError):
    """Redis refused the login: wrong user or password, or a login it needs is missing."""


class RedisTlsError(RedisAccessError):
    """The TLS handshake failed: untrusted or misnamed certificate, or a missing client one."""


class RedisListenerMismatchError(RedisAccessError):
    """The port speaks TLS to a plaintext client, or plaintext to a TLS one."""


class RedisPermissionError(RedisAccessError):
    """The ACL user may not run a command, or not on a key, that Parley needs (NOPERM)."""


def classify(exc: RedisError, connection: RedisConnection, rights: RedisRights) -> RedisAccessError:
    """The reason ``exc`` gives, from the error alone (see :func:`explain`)."""
    where = connection.where()
    if isinstance(exc, NoPermissionError):
        return RedisPermissionError(
            f"Redis at {where} refused {connection.describe()} a command the {rights.part} "
            f"needs (NOPERM: {exc}): give the user Parley's ACL rule ({DOCS}); the "
            f"{rights.part}'s share of it is: {rights.rule()}"
        )
    if isinstance(exc, AuthenticationError):
        return _refused_login(exc, connection)
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return _untrusted_certificate(cause, where, connection.host)
    if isinstance(cause, ssl.SSLError):
        return _tls_refused(cause, where, connection)
    if not isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return RedisAccessError(f"Redis at {where} refused a command of the {rights.part}: {exc}")
    if isinstance(exc, RedisTimeoutError):
        return RedisUnreachableError(
            f"Redis at {where} did not answer in time: check REDIS_URL and that nothing "
            "between here and Redis drops the connection"
        )
    return RedisUnreachableError(
        f"nothing usable answers at {where} ({exc}): check REDIS_URL and that Redis is running"
    )


async def explain(
    exc: RedisError, connection: RedisConnection, rights: RedisRights, timeout_s: float = 3.0
) -> RedisAccessError:
    """:func:`classify`, except that a connection cut or left hanging is looked into: a
    TLS client repeats the handshake to see the server's alert (a client certificate it
    wants arrives only after the handshake, often as a bare reset), and the port is asked
    which protocol it speaks."""
    reason = classify(exc, connection, rights)
    if not isinstance(reason, RedisUnreachableError) or connection.scheme == "unix":
        return reason
    where = connection.where()
    if connection.uses_tls:
        refusal = await _tls_refusal(connection, timeout_s)
        if isinstance(refusal, ssl.SSLCertVerificationError):
            return _untrusted_certificate(refusal, where, connection.host)
        if refusal is not None:
            return _tls_refused(refusal, where, connection)
    speaks_tls = await _speaks_tls(connection.host, connection.port, timeout_s)
    if speaks_tls and not connection.uses_tls:
        return RedisListenerMismatchError(
            f"Redis at {where} speaks TLS and hung up on a plaintext client: "
            "use rediss:// in REDIS_URL (and REDIS_SSL_CA_FILE for a private CA)"
        )
    if speaks_tls is False and connection.uses_tls:
        return RedisListenerMismatchError(
            f"Redis at {where} does not speak TLS: use redis:// in REDIS_URL, "
            "or the port of its TLS listener (tls-port)"
        )
    return reason


def _refused_login(exc: AuthenticationError, connection: RedisConnection) -> RedisAccessError:
    where = connection.where()
    text = str(exc)
    if any(marker in text for marker in _WRONG_LOGIN):
        return RedisAuthenticationError(
            f"Redis at {where} refused the login of {connection.describe()} (WRONGPASS): "
            "check the user and password in REDIS_URL (rediss://user:password@host:port/db, "
            "with @, : and / in the password percent-encoded) and that the user is on"
        )
    return RedisAuthenticationError(
        f"Redis at {where} needs a login (NOAUTH) and REDIS_URL gives none: put the ACL "
        f"user and password in REDIS_URL (rediss://user:password@host:port/db); {DOCS}"
    )


def _untrusted_certificate(
    exc: ssl.SSLCertVerificationError, where: str, host: str
) -> RedisTlsError:
    if exc.verify_code in _NAME_MISMATCH:
        return RedisTlsError(
            f"the TLS certificate of Redis at {where} does not name {host} "
            f"({exc.verify_message}): connect by a name the certificate lists, or set "
            "REDIS_SSL_CHECK_HOSTNAME=false"
        )
    return RedisTlsError(
        f"the TLS certificate of Redis at {where} is not trusted ({exc.verify_message}): "
        "set REDIS_SSL_CA_FILE to the CA that signed it"
    )


def _tls_refused(exc: ssl.SSLError, where: str, connection: RedisConnection) -> RedisAccessError:
    reason = str(getattr(exc, "reason", None) or exc)
    if "CERTIFICATE_REQUIRED" in reason:
        return RedisTlsError(
            f"Redis at {where} asks for a client certificate (tls-auth-clients): set "
            "REDIS_SSL_CERT_FILE and REDIS_SSL_KEY_FILE"
        )
    if connection.uses_tls and "WRONG_VERSION_NUMBER" in reason:
        return RedisListenerMismatchError(
            f"Redis at {where} does not answer TLS ({reason}): use redis:// in REDIS_URL, "
            "or the port of its TLS listener (tls-port)"
        )
    return RedisTlsError(f"the TLS handshake with Redis at {where} failed: {reason}")


async def _tls_refusal(connection: RedisConnection, timeout_s: float) -> ssl.SSLError | None:
    """The TLS error a handshake and one PING with the connection's own files meet."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                connection.host,
                connection.port,
                ssl=connection.ssl_context(),
                server_hostname=connection.host,
            ),
            timeout_s,
        )
    except ssl.SSLError as exc:
        return exc
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(b"PING\r\n")
        await asyncio.wait_for(reader.readline(), timeout_s)
    except ssl.SSLError as exc:
        return exc
    except (OSError, TimeoutError):
        return None
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    return None


async def _speaks_tls(host: str, port: int, timeout_s: float) -> bool | None:
    """True if a TLS handshake completes on the port (any certificate), False if the
    port is open but the handshake fails, None if the port cannot be reached."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError):
        return None
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    probe = ssl.create_default_context()
    probe.check_hostname = False
    probe.verify_mode = ssl.CERT_NONE  # only the protocol is in question, not trust
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=probe), timeout_s
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
