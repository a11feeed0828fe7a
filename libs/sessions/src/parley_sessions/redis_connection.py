"""How a client reaches Redis: the URL (``rediss://`` for TLS, ``user:password@`` for an
ACL user, the database in the path) and the TLS files, checked once and turned into a
redis-py client.

Every Redis client Parley builds (the session store, the call index, the janitor's rate
limits) comes from :func:`connect_redis` and one of these, so TLS and ACL users work the
same everywhere. Messages name the environment variables
(:class:`parley_sessions.redis_settings.RedisSettings`), which is where operators fix them.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

SCHEMES = ("redis", "rediss", "unix")
DEFAULT_PORT = 6379


class RedisSettingsError(ValueError):
    """A Redis connection setting is malformed, contradicts another or names a bad file."""


@dataclass(frozen=True)
class RedisConnection:
    """One way of reaching Redis; invalid combinations are refused on creation.

    ``ssl_ca_file`` empty means the system's trust store (enough for managed services
    with public certificates, such as ElastiCache or Upstash); ``ssl_cert_file`` and
    ``ssl_key_file`` are a client certificate for servers that ask for one (the key may
    sit in the certificate file). TLS options live here, not in the URL's query, so
    there is one place to look for them.
    """

    url: str = field(repr=False)
    ssl_ca_file: str = ""
    ssl_cert_file: str = ""
    ssl_key_file: str = ""
    ssl_check_hostname: bool = True

    def __post_init__(self) -> None:
        self._check_url()
        self._check_tls_files()
        if self.uses_tls:
            self._check_tls_context()

    @classmethod
    def of(cls, connection: RedisConnection | str) -> RedisConnection:
        """A connection as given, or a bare URL (plaintext, or TLS checked against the
        system's trust store)."""
        return connection if isinstance(connection, RedisConnection) else cls(connection)

    @property
    def uses_tls(self) -> bool:
        return self.scheme == "rediss"

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or DEFAULT_PORT

    @property
    def username(self) -> str:
        """The ACL user the URL names; empty: ``default`` (with a password) or none."""
        return unquote(urlsplit(self.url).username or "")

    @property
    def has_password(self) -> bool:
        return bool(urlsplit(self.url).password)

    def where(self) -> str:
        if self.scheme == "unix":
            return urlsplit(self.url).path
        return f"{self.host}:{self.port}"

    def describe(self) -> str:
        """Who connects and how, for messages (never the password)."""
        if self.username:
            who = f"user {self.username!r}"
        else:
            who = "the default user" if self.has_password else "no login"
        return f"{who} over {'TLS' if self.uses_tls else 'plaintext'}"

    def redacted_url(self) -> str:
        """The URL with its password replaced, for logs."""
        parts = urlsplit(self.url)
        if not parts.password:
            return self.url
        user = parts.username or ""
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"{user}:***@{host}").geturl()

    def client_options(self) -> dict[str, Any]:
        """The TLS keyword arguments redis-py's connections take (none without TLS)."""
        if not self.uses_tls:
            return {}
        return {
            "ssl_cert_reqs": "required",
            "ssl_ca_certs": self.ssl_ca_file or None,
            "ssl_certfile": self.ssl_cert_file or None,
            "ssl_keyfile": self.ssl_key_file or None,
            "ssl_check_hostname": self.ssl_check_hostname,
        }

    def ssl_context(self) -> ssl.SSLContext:
        """The context a TLS client of this connection uses, built as redis-py builds it
        (redis-py makes its own; this one lets a diagnosis repeat the handshake)."""
        context = self._trust()
        if self.ssl_cert_file:
            context.load_cert_chain(self.ssl_cert_file, self.ssl_key_file or None)
        return context

    def _trust(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ssl_ca_file or None)
        context.check_hostname = self.ssl_check_hostname
        return context

    def _check_url(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in SCHEMES:
            raise RedisSettingsError(
                f"REDIS_URL={self.redacted_url()!r} is not a Redis URL: use "
                "redis://[user:password@]host:port/db, or rediss:// for TLS"
            )
        try:
            parts.port  # noqa: B018 - parsing it is the check
        except ValueError as exc:
            raise RedisSettingsError(f"REDIS_URL has an invalid port: {exc}") from exc
        stray = sorted(name for name, _ in parse_qsl(parts.query) if name.startswith("ssl"))
        if stray:
            raise RedisSettingsError(
                f"REDIS_URL sets {', '.join(stray)} in its query: set TLS options with "
                "REDIS_SSL_CA_FILE, REDIS_SSL_CERT_FILE, REDIS_SSL_KEY_FILE and "
                "REDIS_SSL_CHECK_HOSTNAME instead"
            )

    def _check_tls_files(self) -> None:
        files = {
            "REDIS_SSL_CA_FILE": self.ssl_ca_file,
            "REDIS_SSL_CERT_FILE": self.ssl_cert_file,
            "REDIS_SSL_KEY_FILE": self.ssl_key_file,
        }
        named = {name: path for name, path in files.items() if path}
        if named and not self.uses_tls:
            raise RedisSettingsError(
                f"{', '.join(named)} set, but REDIS_URL is {self.scheme}://, which does not "
                "use TLS: use rediss:// for TLS, or remove them"
            )
        for name, path in named.items():
            if not Path(path).is_file():
                raise RedisSettingsError(
                    f"{name}={path}: no such file (mount the file there, or leave {name} empty)"
                )
        if self.ssl_key_file and not self.ssl_cert_file:
            raise RedisSettingsError(
                "REDIS_SSL_KEY_FILE needs REDIS_SSL_CERT_FILE, the client certificate the "
                "key belongs to"
            )

    def _check_tls_context(self) -> None:
        # Loaded here once so a bad file stops the process at start-up, not at the first
        # command (redis-py loads them only when it connects).
        try:
            context = self._trust()
        except ssl.SSLError as exc:
            raise RedisSettingsError(
                f"REDIS_SSL_CA_FILE={self.ssl_ca_file} holds no usable PEM certificate: {exc}"
            ) from exc
        if not self.ssl_cert_file:
            return
        try:
            context.load_cert_chain(self.ssl_cert_file, self.ssl_key_file or None)
        except ssl.SSLError as exc:
            raise RedisSettingsError(
                f"the client certificate REDIS_SSL_CERT_FILE={self.ssl_cert_file} could not "
                f"be loaded with its key (REDIS_SSL_KEY_FILE): {exc}"
            ) from exc


def connect_redis(connection: RedisConnection | str, timeout_s: float = 5.0) -> Redis:
    """A client that retries a command once, at once, on a fresh connection.

    After Redis restarts, every pooled connection is dead; without the retry the first
    command on each fails (a call's end not recorded, a status callback refused). One
    immediate retry keeps a real outage quick to detect: its reconnect is refused at once.
    """
    connection = RedisConnection.of(connection)
    return Redis.from_url(
        connection.url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 1),
        retry_on_error=[RedisConnectionError],
        **connection.client_options(),
    )
