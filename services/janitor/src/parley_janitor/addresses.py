"""IP addresses as the janitor compares them (callers, agent endpoints): an IPv4 address
written as IPv6 (``::ffff:203.0.113.7``) is that IPv4 address."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> IPAddress | None:
    """The address ``text`` spells in standard notation, or None."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
