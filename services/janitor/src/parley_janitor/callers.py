"""Who a session API request counts against: its caller's identity.

Rate limits are kept per identity, so one client using up its budget refuses nobody else.
A caller that presented an API key (parley_janitor.auth) is its key: ``key:<id>``, however
many addresses it calls from. Only with authentication off is the identity the client's
address: ``ip:<IPv4 address>``, or ``ip:<IPv6 /64 network>`` (one host is handed a whole
/64, so each of its addresses is the same caller).

Behind a reverse proxy every request comes from the proxy, so X-Forwarded-For is read,
but only when the peer is a configured trusted proxy (``PARLEY_JANITOR_TRUSTED_PROXIES``);
the header is walked from the right, past trusted proxies, and the first other address is
the client (entries further left are whatever the client chose to send).

Parley's own services never call this API: dialogue and stt read the session store
directly and the edge never reads sessions (tests/unit/janitor/test_callers.py checks),
so no other caller's traffic can throttle them.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol

from starlette.requests import Request

from parley_janitor.addresses import IPAddress, parse_address

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Where parley_janitor.auth keeps the admitted key's id in the ASGI scope's state.
KEY_ID_STATE = "api_key_id"
# Requests with no peer address (not over TCP) count as one caller.
UNKNOWN_CALLER = "unknown"


class CallerIdentity(Protocol):
    def __call__(self, request: Request | None) -> str:
        """The identity a request's rate limits are kept under."""


def parse_networks(value: str) -> list[IPNetwork]:
    """Comma-separated addresses or CIDR networks; a clear error for anything else."""
    networks: list[IPNetwork] = []
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"trusted proxy {entry!r} is not an IP address or network"
                " (10.0.0.7, 10.0.0.0/8, fd00::/8)"
            ) from exc
    return networks


def address_identity(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return f"ip:{ipaddress.IPv6Network((address, 64), strict=False)}"
    return f"ip:{address}"


class ClientAddress:
    """The client's address as its identity, believing X-Forwarded-For only from the
    trusted proxies."""

    def __init__(self, trusted_proxies: str = "") -> None:
        self._trusted = parse_networks(trusted_proxies)

    def _is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self._trusted)

    def __call__(self, request: Request | None) -> str:
        if request is None or request.client is None:
            return UNKNOWN_CALLER
        peer = parse_address(request.client.host)
        if peer is None:
            return UNKNOWN_CALLER
        client = peer
        if self._is_trusted(peer):
            hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
            for hop in reversed(hops):
                address = parse_address(hop.strip().strip("[]"))
                if address is None:
                    break  # not an address: nothing left of it can be believed
                client = address
                if not self._is_trusted(address):
                    break
        return address_identity(client)


class KeyIdentity:
    """``key:<id>`` for a request an API key was admitted on; otherwise (authentication
    off) what ``fallback`` makes of it."""

    def __init__(self, fallback: CallerIdentity) -> None:
        self._fallback = fallback

    def __call__(self, request: Request | None) -> str:
        key_id = None if request is None else request.scope.get("state", {}).get(KEY_ID_STATE)
        return f"key:{key_id}" if key_id else self._fallback(request)
