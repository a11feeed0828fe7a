"""A call index whose Redis cannot be reached says so with its own error, which the edge
answers with the fallback (no server needed: nothing listens on the port)."""

from __future__ import annotations

import pytest
from parley_devstack.ports import free_ports
from parley_sessions import CallIndex, CallIndexUnavailableError


async def test_an_unreachable_redis_is_a_call_index_unavailable_error() -> None:
    (port,) = free_ports(1)
    index = CallIndex(f"redis://127.0.0.1:{port}/0")
    try:
        with pytest.raises(CallIndexUnavailableError, match="REDIS_URL"):
            await index.claim("CA" + "0" * 32, "session")
        with pytest.raises(CallIndexUnavailableError):
            await index.start_stream("CA" + "0" * 32, "session")
    finally:
        await index.close()
