"""A throwaway certificate authority and a loopback server certificate, as PEM files.

The local broker's and Redis's TLS listeners need a certificate their clients can check:
this makes a CA and a certificate it signs for ``127.0.0.1`` and ``localhost``, in the
forms every side reads without keytool: Kafka takes a PEM keystore (a PKCS#8 key
followed by the certificate chain) and a PEM truststore, Redis the same keystore as its
certificate and key file, Python the CA file. The server certificate may also serve as
a client certificate (both key usages), for servers that ask for one.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_AUTH, CLIENT_AUTH = ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH
# Long enough for a kept development stack; these files never leave the machine.
VALIDITY = datetime.timedelta(days=825)


@dataclass(frozen=True)
class ServerCertificate:
    """Where the files are: ``ca_file`` for clients, ``keystore_file`` for the server."""

    ca_file: Path
    keystore_file: Path

    @classmethod
    def in_directory(cls, directory: Path) -> ServerCertificate:
        return cls(directory / "ca.pem", directory / "server-keystore.pem")

    def exists(self) -> bool:
        return self.ca_file.is_file() and self.keystore_file.is_file()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def make_server_certificate(
    directory: Path, host: str = "127.0.0.1", authority: str = "Parley local CA"
) -> ServerCertificate:
    """Write a new CA named ``authority`` (``ca.pem``) and a certificate for ``host`` and
    localhost signed by it, with its key (``server-keystore.pem``, owner-only)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(authority)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        # The broker is also a TLS client: it logs in to its own listener.
        .add_extension(x509.ExtendedKeyUsage([SERVER_AUTH, CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = ServerCertificate.in_directory(directory)
    files.ca_file.write_bytes(_pem(ca))
    # Kafka reads PEM keys only as PKCS#8 ("BEGIN PRIVATE KEY").
    key = server_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    files.keystore_file.touch(mode=0o600)
    files.keystore_file.write_bytes(key + _pem(server) + _pem(ca))
    return files
