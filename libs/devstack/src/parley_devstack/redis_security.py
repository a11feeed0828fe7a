"""TLS and ACL users for the local Redis, as a managed Redis would have them.

- A CA and a server certificate for 127.0.0.1 are made at the first start
  (:mod:`parley_devstack.certificates`); Redis reads the PEM keystore as both its
  certificate and its key file. The plaintext port is closed (``port 0``).
- ``default`` is switched off, so every client logs in: ``admin`` may do anything (the
  stack itself, tests looking at keys), ``parley`` only what Parley's rule allows
  (:func:`parley_sessions.parley_acl_rule`), the user every service logs in as.
- With ``client_certificates`` Redis also asks clients for a certificate the CA signed
  (``tls-auth-clients yes``); the server's own certificate serves as the clients'.

The passwords and the rule live in a config file readable by its owner only, given to
``redis-server`` as its first argument, so they never appear in a process listing.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from parley_sessions import RedisConnection, parley_acl_rule

from parley_devstack.certificates import ServerCertificate, make_server_certificate
from parley_devstack.passwords import kept_passwords
from parley_devstack.ports import LOOPBACK

ADMIN = "admin"
PARLEY_USER = "parley"
USERS = (ADMIN, PARLEY_USER)


def _rights(user: str) -> str:
    return "~* &* +@all" if user == ADMIN else parley_acl_rule()


class RedisServerSecurity:
    """The files (certificates, passwords, config) live in ``directory`` and are made
    once: a Redis whose data is kept restarts with the same users."""

    def __init__(self, directory: Path, *, client_certificates: bool = False) -> None:
        self.directory = Path(directory).resolve()
        self.client_certificates = client_certificates
        self.certificate = ServerCertificate.in_directory(self.directory)
        self.config_file = self.directory / "redis-security.conf"
        self._users_file = self.directory / "users.json"
        self._passwords: dict[str, str] = {}

    def prepare(self) -> None:
        """Make the certificates and passwords unless they exist; write the config."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.certificate.exists():
            self.certificate = make_server_certificate(
                self.directory, LOOPBACK, authority="Parley local Redis CA"
            )
        # URL-safe: the password goes into REDIS_URL unencoded.
        self._passwords = kept_passwords(self._users_file, USERS)
        self.config_file.touch(mode=0o600)
        self.config_file.write_text(self._config())

    def password(self, user: str) -> str:
        if not self._passwords:
            raise RuntimeError("RedisServerSecurity.prepare() has not been called")
        return self._passwords[user]

    def server_arguments(self, port: int) -> list[str]:
        """``redis-server`` arguments: the config file first (Redis takes it only
        there), then the TLS port in place of the plaintext one."""
        return [str(self.config_file), "--port", "0", "--tls-port", str(port)]

    def url(self, port: int, user: str = PARLEY_USER) -> str:
        return f"rediss://{user}:{self.password(user)}@{LOOPBACK}:{port}/0"

    def connection(self, port: int, user: str = PARLEY_USER) -> RedisConnection:
        return RedisConnection(
            self.url(port, user),
            ssl_ca_file=str(self.certificate.ca_file),
            ssl_cert_file=self._client_certificate(),
        )

    def environment(self) -> dict[str, str]:
        """The REDIS_SSL_* variables (besides REDIS_URL) a client needs."""
        variables = {"REDIS_SSL_CA_FILE": str(self.certificate.ca_file)}
        if self.client_certificates:
            variables["REDIS_SSL_CERT_FILE"] = self._client_certificate()
        return variables

    def answers_ping(self, port: int) -> bool:
        """Whether Redis answers on its TLS port; any reply will do, NOAUTH included."""
        context = ssl.create_default_context(cafile=str(self.certificate.ca_file))
        if self.client_certificates:
            context.load_cert_chain(str(self.certificate.keystore_file))
        try:
            with (
                socket.create_connection((LOOPBACK, port), timeout=0.5) as raw,
                context.wrap_socket(raw, server_hostname=LOOPBACK) as connection,
            ):
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def _client_certificate(self) -> str:
        # The keystore holds the key, then the certificate chain: one file for both.
        return str(self.certificate.keystore_file) if self.client_certificates else ""

    def _config(self) -> str:
        keystore = self.certificate.keystore_file
        users = "\n".join(
            f"user {user} on >{self.password(user)} {_rights(user)}" for user in USERS
        )
        return f"""\
# TLS and ACL users for the local Redis; see parley_devstack.redis_security.
tls-cert-file {keystore}
tls-key-file {keystore}
tls-ca-cert-file {self.certificate.ca_file}
tls-auth-clients {"yes" if self.client_certificates else "no"}
user default off
{users}
"""
