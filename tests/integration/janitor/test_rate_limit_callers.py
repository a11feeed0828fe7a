"""Rate limits belong to the caller: one client using up a limit refuses nobody else, over
HTTP and MCP alike; X-Forwarded-For counts only from a trusted proxy; a flood of distinct
callers leaves the limit store bounded. Against the real Kafka and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from parley_janitor.rate_limit import KEY_PREFIX, RateLimitedError, RateLimiter
from parley_sessions import connect_redis

from tests.integration.janitor.harness import janitor, tool_text

pytestmark = pytest.mark.integration

WINDOW_S = 10
CLEANUP = {"olderThan": 86_400}
GREEDY, OTHER = "203.0.113.7", "198.51.100.9"


def forwarded_for(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def fresh_window() -> None:
    await asyncio.sleep(WINDOW_S - time.time() % WINDOW_S + 0.05)


@contextlib.asynccontextmanager
async def mcp_as(http: httpx.AsyncClient, address: str) -> AsyncIterator[ClientSession]:
    url = str(http.base_url).rstrip("/") + "/mcp"
    async with (
        httpx2.AsyncClient(headers=forwarded_for(address), timeout=10) as client,
        streamable_http_client(url, http_client=client) as (read, write, *_),
        ClientSession(read, write) as mcp,
    ):
        await mcp.initialize()
        yield mcp


async def test_one_caller_using_up_a_limit_refuses_no_other_caller(
    stack_env: dict[str, str],
) -> None:
    async with janitor(
        stack_env, rate_limit_window_s=WINDOW_S, trusted_proxies="127.0.0.1"
    ) as http:
        created = await http.post(
            "/v1/sessions", json={"callSid": "CA9"}, headers=forwarded_for(OTHER)
        )
        sid = created.json()["sessionId"]
        await http.post("/v1/sessions/cleanup", json=CLEANUP)  # sweeps leftovers, then is quick
        await fresh_window()
        greedy = [
            await http.post("/v1/sessions/cleanup", json=CLEANUP, headers=forwarded_for(GREEDY))
            for _ in range(11)
        ]
        assert [a.status_code for a in greedy] == [200] * 10 + [429]
        other = await http.post("/v1/sessions/cleanup", json=CLEANUP, headers=forwarded_for(OTHER))
        assert other.status_code == 200, other.text
        assert "for this caller" in greedy[-1].json()["error"]
        assert (await http.get(f"/v1/sessions/{sid}", headers=forwarded_for(OTHER))).is_success
        async with mcp_as(http, GREEDY) as mcp:
            refused = await mcp.call_tool("session.cleanup", CLEANUP)
        assert refused.is_error and "rate limit" in tool_text(refused.content)
        async with mcp_as(http, OTHER) as mcp:
            allowed = await mcp.call_tool("session.cleanup", CLEANUP)
        assert not allowed.is_error, tool_text(allowed.content)


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    stack_env: dict[str, str],
) -> None:
    async with janitor(stack_env, rate_limit_window_s=WINDOW_S) as http:
        await http.post("/v1/sessions/cleanup", json=CLEANUP)
        await fresh_window()
        for _ in range(10):
            await http.post("/v1/sessions/cleanup", json=CLEANUP, headers=forwarded_for(GREEDY))
        # A fresh address in the header buys no fresh budget: the peer is the caller.
        spoofed = await http.post(
            "/v1/sessions/cleanup", json=CLEANUP, headers=forwarded_for(OTHER)
        )
        assert spoofed.status_code == 429


async def test_a_flood_of_distinct_callers_keeps_the_limit_store_bounded(
    stack_env: dict[str, str],
) -> None:
    operation = f"test.flood-{uuid.uuid4().hex[:8]}"
    redis = connect_redis(stack_env["REDIS_URL"])
    # An hour's window: the whole flood falls in one window.
    limiter = RateLimiter(redis, window_s=3600, limits={operation: 3}, max_callers=20)
    outcomes: dict[str, Any] = {}
    try:
        for n in range(200):
            caller = f"ip:198.51.{n // 256}.{n % 256}"
            try:
                await limiter.check(operation, caller)
                outcomes[caller] = "allowed"
            except RateLimitedError as exc:
                outcomes[caller] = str(exc)
        keys = [key async for key in redis.scan_iter(match=f"{KEY_PREFIX}{{{operation}:*")]
        # Twenty callers with counters of their own, the count of callers, one overflow.
        assert len(keys) == 22
        assert all(0 < ttl <= 3601 for ttl in [await redis.ttl(key) for key in keys])
        first, rest = list(outcomes.values())[:20], list(outcomes.values())[20:]
        assert first == ["allowed"] * 20
        assert rest[:3] == ["allowed"] * 3
        assert all("shared by every caller past the first 20" in o for o in rest[3:])
        # The callers admitted before the flood keep their own budgets through it.
        await limiter.check(operation, "ip:198.51.0.0")
        await limiter.check(operation, "ip:198.51.0.0")
        with pytest.raises(RateLimitedError, match="for this caller"):
            await limiter.check(operation, "ip:198.51.0.0")
    finally:
        await redis.aclose()
