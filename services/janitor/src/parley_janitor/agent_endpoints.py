"""Which agent endpoints a session may name (``mcpEndpoint``).

The endpoint is a URL Parley connects to on the caller's behalf, so a client of the
session API must not point it at the host's files or at the cloud's instance metadata
service (which hands out credentials to anything on the host that asks). Only http(s)
URLs without embedded credentials are taken; link-local and known metadata addresses are
refused always, also in the legacy numeric forms HTTP clients still resolve
(``http://2852039166/`` is 169.254.169.254). A host name is not resolved here: where
names cannot be trusted, an allow-list of hosts or URL prefixes
(``PARLEY_JANITOR_AGENT_ENDPOINT_ALLOWLIST``) restricts endpoints to known agents.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from parley_janitor.addresses import IPAddress, parse_address

MAX_ENDPOINT_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
# Instance metadata services that do not live on a link-local address, and the names
# clouds give them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}")


class EndpointRefusedError(ValueError):
    """An agent endpoint a session may not name; the message says which kind is taken."""


def _address(host: str) -> IPAddress | None:
    """The IP address a host names literally, counting the legacy IPv4 forms (decimal,
    octal, hex, fewer than four parts) that C resolvers still accept."""
    address = parse_address(host)
    if address is not None or not _NUMERIC_HOST.fullmatch(host):
        return address
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _forbidden_address(address: IPAddress) -> bool:
    return (
        address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address in METADATA_ADDRESSES
    )


@dataclass(frozen=True, slots=True)
class _Prefix:
    """An allow-list entry: a host (``agent.example.com``, ``agent:8090``) or a URL
    prefix (``https://agents.example.com/mcp/``) matched on whole path segments."""

    scheme: str | None
    host: str
    port: int | None
    path: str

    @classmethod
    def parse(cls, entry: str) -> _Prefix:
        url = urlsplit(entry if "://" in entry else f"//{entry}")
        if not url.hostname:
            raise ValueError(
                f"agent endpoint allow-list entry {entry!r} names no host; list hosts"
                " (agent.example.com, agent:8090) or URL prefixes (https://agent.example.com/mcp)"
            )
        if "://" not in entry:
            return cls(None, _host(url), url.port, "")
        return cls(url.scheme.lower(), _host(url), _port(url), url.path.rstrip("/"))

    def admits(self, url: SplitResult) -> bool:
        if self.scheme is not None and url.scheme.lower() != self.scheme:
            return False
        if _host(url) != self.host or (self.port is not None and _port(url) != self.port):
            return False
        return not self.path or url.path == self.path or url.path.startswith(self.path + "/")


def _host(url: SplitResult) -> str:
    return (url.hostname or "").rstrip(".").lower()


def _port(url: SplitResult) -> int | None:
    return url.port or DEFAULT_PORTS.get(url.scheme.lower())


class AgentEndpointPolicy:
    """Checks an ``mcpEndpoint``; with an allow-list, only endpoints it admits pass."""

    def __init__(self, allowlist: str = "") -> None:
        entries = [entry.strip() for entry in allowlist.split(",") if entry.strip()]
        self._allowed = [_Prefix.parse(entry) for entry in entries]

    def check(self, endpoint: str) -> str:
        """The endpoint, if a session may name it; else EndpointRefusedError."""
        if len(endpoint) > MAX_ENDPOINT_LENGTH:
            raise EndpointRefusedError(f"must be at most {MAX_ENDPOINT_LENGTH} characters")
        try:
            url = urlsplit(endpoint)
            _port(url)  # a port that is not a number raises here
        except ValueError as exc:
            raise EndpointRefusedError(f"not a URL: {exc}") from exc
        if url.scheme.lower() not in DEFAULT_PORTS or not url.hostname:
            raise EndpointRefusedError("must be an http:// or https:// URL with a host")
        if url.username is not None or url.password is not None:
            raise EndpointRefusedError(
                "must not carry credentials (user:password@); agents authenticate by token"
            )
        host = _host(url)
        address = _address(host)
        if host in METADATA_HOSTS or (address is not None and _forbidden_address(address)):
            raise EndpointRefusedError(
                f"{host} is a link-local or instance metadata address, never an agent"
            )
        if self._allowed and not any(prefix.admits(url) for prefix in self._allowed):
            raise EndpointRefusedError(
                f"{endpoint} is not on the agent endpoint allow-list;"
                " add it to PARLEY_JANITOR_AGENT_ENDPOINT_ALLOWLIST or use a listed agent"
            )
        return endpoint
