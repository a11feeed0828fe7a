"""Rate limits count against the caller: its address, X-Forwarded-For only from a trusted
proxy, IPv6 callers by their /64."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from parley_janitor.callers import UNKNOWN_CALLER, ClientAddress, parse_networks
from starlette.requests import Request


def _request(peer: str | None, *forwarded_for: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    client = None if peer is None else (peer, 50000)
    return Request(
        {"type": "http", "method": "GET", "path": "/", "headers": headers, "client": client}
    )


def test_without_trusted_proxies_the_peer_is_the_caller_whatever_it_forwards() -> None:
    identify = ClientAddress()
    assert identify(_request("203.0.113.7")) == "ip:203.0.113.7"
    assert identify(_request("203.0.113.7", "198.51.100.1")) == "ip:203.0.113.7"
    assert identify(_request(None)) == identify(_request("testclient")) == UNKNOWN_CALLER
    assert identify(None) == UNKNOWN_CALLER


def test_a_trusted_proxy_s_forwarded_for_is_read_from_the_right() -> None:
    identify = ClientAddress("10.0.0.0/8, 192.0.2.10")
    assert identify(_request("10.1.2.3", "203.0.113.7")) == "ip:203.0.113.7"
    # A client cannot choose its identity by sending its own X-Forwarded-For: the entry
    # the trusted proxy appended (the rightmost untrusted one) is the caller.
    assert identify(_request("10.1.2.3", "198.51.100.1, 203.0.113.7")) == "ip:203.0.113.7"
    assert identify(_request("10.1.2.3", "198.51.100.1", "203.0.113.7, 192.0.2.10")) == (
        "ip:203.0.113.7"
    )
    assert identify(_request("10.1.2.3", "garbage, 203.0.113.7")) == "ip:203.0.113.7"
    assert identify(_request("10.1.2.3", "203.0.113.7, garbage")) == "ip:10.1.2.3"
    assert identify(_request("10.1.2.3")) == "ip:10.1.2.3"
    assert identify(_request("10.1.2.3", "10.9.9.9")) == "ip:10.9.9.9"  # all trusted: leftmost


def test_ipv6_callers_are_their_64_and_mapped_ipv4_is_ipv4() -> None:
    identify = ClientAddress()
    one = identify(_request("2001:db8:1:2::1"))
    assert one == identify(_request("2001:db8:1:2:ffff::9")) == "ip:2001:db8:1:2::/64"
    assert one != identify(_request("2001:db8:1:3::1"))
    assert identify(_request("::ffff:203.0.113.7")) == "ip:203.0.113.7"


def test_trusted_proxies_that_are_not_addresses_are_refused() -> None:
    assert len(parse_networks(" 10.0.0.0/8,fd00::/8 ,")) == 2
    with pytest.raises(ValueError, match=r"'proxy\.internal' is not an IP address or network"):
        parse_networks("10.0.0.1,proxy.internal")


ROOT = Path(__file__).resolve().parents[3]
SESSION_API = re.compile(r"/v1/sessions|[\"']session\.(create|get|update|close|cleanup)[\"']")


def test_parley_services_read_sessions_from_the_store_not_through_the_api() -> None:
    """No other caller's traffic can throttle Parley itself: its services never call the
    rate-limited session API (dialogue and stt open the session store directly, the edge
    does not read sessions). A service that starts calling it needs an identity and a
    budget of its own."""
    callers = [
        path.relative_to(ROOT).as_posix()
        for package in ("services", "libs")
        for path in (ROOT / package).glob("*/src/**/*.py")
        if SESSION_API.search(path.read_text())
    ]
    # The janitor serves the API; the simulator is a developer's tool reading a call's
    # record after the call, with a read key of its own.
    assert sorted(p for p in callers if "/janitor/" not in p) == [
        "libs/simulator/src/parley_simulator/call.py"
    ]
    for reader in ("dialogue", "stt"):
        app = (ROOT / "services" / reader / "src" / f"parley_{reader}" / "app.py").read_text()
        assert "open_session_store()" in app
