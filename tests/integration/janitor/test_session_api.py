"""The janitor's session API over HTTP and MCP, its shared rate limits, and expiry with
two janitors running, against the real Kafka, Redis and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from parley_contracts import HangUp, SessionClosed
from parley_sessions import open_session_store

from tests.integration.dialogue.harness import TopicProbe
from tests.integration.janitor.harness import idle_session, janitor, tool_text

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("storage", ["redis", "postgres"])
async def test_http_session_api(stack_env: dict[str, str], storage: str) -> None:
    async with janitor(stack_env, session_store=storage) as http:
        created = await http.post("/v1/sessions", json={"callSid": "CA100", "config": {"ttl": 600}})
        assert created.status_code == 201, created.text
        sid = created.json()["sessionId"]
        got = (await http.get(f"/v1/sessions/{sid}")).json()["session"]
        assert got["callSid"] == "CA100" and got["ttl"] == 600 and got["status"] == "active"

        turn = {"turnId": 1, "userUtterance": "hi", "agentResponse": "hello", "latencyMs": 5}
        for n in (1, 2):
            updated = await http.patch(
                f"/v1/sessions/{sid}", json={"updates": {"turns": [{**turn, "turnId": n}]}}
            )
            assert updated.status_code == 200, updated.text
        assert [t["turnId"] for t in updated.json()["session"]["turns"]] == [1, 2]

        refused = await http.patch(f"/v1/sessions/{sid}", json={"updates": {"callSid": "X"}})
        assert refused.status_code == 422 and "callSid cannot be changed" in refused.text
        bad = await http.post("/v1/sessions", json={"config": {"ttl": -1}})
        assert bad.status_code == 422 and "callSid" in bad.text and "ttl" in bad.text

        closed = await http.post(f"/v1/sessions/{sid}/close", json={"reason": "done"})
        assert closed.json()["closed"] is True and closed.json()["duration"] >= 0
        again = await http.post(f"/v1/sessions/{sid}/close", json={})
        assert again.status_code == 409 and "already closed" in again.text

        unknown = str(uuid.uuid4())
        missing = await http.get(f"/v1/sessions/{unknown}")
        assert missing.status_code == 404 and missing.json()["session"] is None
        lost = await http.patch(f"/v1/sessions/{unknown}", json={"updates": {"ttl": 5}})
        assert lost.status_code == 404 and "create a new session" in lost.text


async def test_mcp_tools_listed_and_callable_by_a_stock_client(stack_env: dict[str, str]) -> None:
    async with (
        janitor(stack_env) as http,
        streamable_http_client(str(http.base_url).rstrip("/") + "/mcp") as (read, write, *_),
        ClientSession(read, write) as mcp,
    ):
        await mcp.initialize()
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        assert set(tools) == {
            "session.create",
            "session.get",
            "session.update",
            "session.close",
            "session.cleanup",
        }
        assert set(tools["session.create"].input_schema["properties"]) == {"callSid", "config"}

        created = await mcp.call_tool("session.create", {"callSid": "CA200"})
        sid = created.structured_content["sessionId"]  # type: ignore[index]
        await mcp.call_tool(
            "session.update",
            {"sessionId": sid, "updates": {"metadata": {"tier": "gold"}}},
        )
        got = await mcp.call_tool("session.get", {"sessionId": sid})
        assert got.structured_content["session"]["metadata"] == {"tier": "gold"}  # type: ignore[index]

        immutable = await mcp.call_tool(
            "session.update", {"sessionId": sid, "updates": {"createdAt": "2020-01-01T00:00:00Z"}}
        )
        assert immutable.is_error and "createdAt cannot be changed" in tool_text(immutable.content)
        await mcp.call_tool("session.close", {"sessionId": sid})
        twice = await mcp.call_tool("session.close", {"sessionId": sid})
        assert twice.is_error and "already closed" in tool_text(twice.content)
        none = await mcp.call_tool("session.get", {"sessionId": str(uuid.uuid4())})
        assert none.structured_content == {"session": None}


async def test_a_callers_rate_limit_is_shared_by_two_janitors(stack_env: dict[str, str]) -> None:
    window_s = 5
    cleanup = {"olderThan": 86_400}
    async with (
        janitor(stack_env, rate_limit_window_s=window_s) as one,
        janitor(stack_env, rate_limit_window_s=window_s) as two,
    ):
        await one.post("/v1/sessions/cleanup", json=cleanup)  # sweeps leftovers, then is quick
        await asyncio.sleep(window_s - time.time() % window_s + 0.05)  # a fresh window
        # session.cleanup allows one caller 10 per window in all: 6 + 6 on two janitors is
        # 2 too many.
        answers = await asyncio.gather(
            *(janitor.post("/v1/sessions/cleanup", json=cleanup) for janitor in [one, two] * 6)
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * 10 + [429] * 2
        refused = next(a for a in answers if a.status_code == 429)
        assert "rate limit" in refused.text
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= window_s
        async with (
            streamable_http_client(str(one.base_url).rstrip("/") + "/mcp") as (read, write, *_),
            ClientSession(read, write) as mcp,
        ):
            await mcp.initialize()
            tool = await mcp.call_tool("session.cleanup", {"olderThan": 86_400})
        assert tool.is_error and "rate limit" in tool_text(tool.content)
        await asyncio.sleep(window_s - time.time() % window_s + 0.05)
        assert (await two.post("/v1/sessions/cleanup", json=cleanup)).is_success


async def test_two_janitors_expire_an_idle_call_once(stack_env: dict[str, str]) -> None:
    probe = TopicProbe(stack_env["KAFKA_BOOTSTRAP_SERVERS"])
    await probe.start()
    store = open_session_store("redis", stack_env["REDIS_URL"])
    try:
        async with (
            janitor(stack_env, sweep_interval_s=0.2),
            janitor(stack_env, sweep_interval_s=0.2),
        ):
            idle = await idle_session(store, edge_slot=2)
            events = await probe.wait_for(
                idle.id, lambda es: any(isinstance(e, HangUp) for e in es)
            )
            await asyncio.sleep(1.0)  # several more sweeps by both janitors
            events = probe.of(idle.id)
        closed = [e for e in events if isinstance(e, SessionClosed)]
        hangups = [e for e in events if isinstance(e, HangUp)]
        assert [e.reason for e in closed] == ["ttl_expired"]
        assert [e.reason for e in hangups] == ["ttl_expired"]
        loaded = await store.get(idle.id)
        assert loaded is not None and loaded.status == "closed"
    finally:
        await probe.stop()
        await store.close_store()


async def test_cleanup_from_two_janitors_counts_each_session_once(
    stack_env: dict[str, str],
) -> None:
    store = open_session_store("redis", stack_env["REDIS_URL"])
    try:
        # Idle for 30 s but within their TTL: the expiry sweep leaves them to the cleanup.
        idle = [await idle_session(store, edge_slot=1, ttl=3600) for _ in range(6)]
        async with janitor(stack_env) as one, janitor(stack_env) as two:
            answers = await asyncio.gather(
                one.post("/v1/sessions/cleanup", json={"olderThan": 20}),
                two.post("/v1/sessions/cleanup", json={"olderThan": 20}),
            )
        # Other tests' idle sessions may be swept too; ours are each closed exactly once.
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        for session in idle:
            loaded = await store.get(session.id)
            assert loaded is not None and loaded.status == "closed"
            assert loaded.metadata["closeReason"] == "cleanup"
        assert sum(a.json()["cleaned"] for a in answers) >= len(idle)
    finally:
        await store.close_store()
