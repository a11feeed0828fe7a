"""Numbers and sizes past the session API's bounds get a 422 (a tool error over MCP) and
never reach the store; agent endpoints are http(s) only, never metadata addresses, and
limited to the allow-list when one is set. Against the real Kafka and Redis."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.integration.janitor.harness import janitor, tool_text

pytestmark = pytest.mark.integration

HUGE_TTL = 10**13
FIVE_MB = {"blob": "x" * 5_000_000}
METADATA_SERVICE = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


async def test_oversized_numbers_and_payloads_get_a_422_over_http(
    stack_env: dict[str, str],
) -> None:
    async with janitor(stack_env) as http:
        huge = await http.post("/v1/sessions", json={"callSid": "CA1", "config": {"ttl": HUGE_TTL}})
        assert huge.status_code == 422 and "config.ttl" in huge.json()["error"]
        # The same connection serves the next request.
        created = await http.post("/v1/sessions", json={"callSid": "CA1", "config": {"ttl": 60}})
        assert created.status_code == 201, created.text
        sid = created.json()["sessionId"]

        big = await http.patch(f"/v1/sessions/{sid}", json={"updates": {"metadata": FIVE_MB}})
        assert big.status_code == 422 and "more than 4096" in big.json()["error"]
        for endpoint in ("file:///etc/passwd", METADATA_SERVICE):
            refused = await http.post(
                "/v1/sessions", json={"callSid": "CA1", "config": {"mcpEndpoint": endpoint}}
            )
            assert refused.status_code == 422 and "mcpEndpoint" in refused.json()["error"]
            moved = await http.patch(
                f"/v1/sessions/{sid}", json={"updates": {"mcpEndpoint": endpoint}}
            )
            assert moved.status_code == 422, moved.text

        # Small updates may not add up to what one large one may not be.
        chunk = "y" * 1000
        answers = [
            await http.patch(
                f"/v1/sessions/{sid}", json={"updates": {"metadata": {f"k{n}": chunk}}}
            )
            for n in range(5)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 422]
        assert "merged into the session's" in answers[-1].json()["error"]

        session = (await http.get(f"/v1/sessions/{sid}")).json()["session"]
        assert session["ttl"] == 60 and "blob" not in session["metadata"]
        assert session["mcpEndpoint"] == "http://127.0.0.1:8090/mcp"
        cleanup = await http.post("/v1/sessions/cleanup", json={"olderThan": HUGE_TTL})
        assert cleanup.status_code == 422 and "olderThan" in cleanup.json()["error"]


async def test_the_mcp_tools_apply_the_same_bounds(stack_env: dict[str, str]) -> None:
    async with (
        janitor(stack_env) as http,
        streamable_http_client(str(http.base_url).rstrip("/") + "/mcp") as (read, write, *_),
        ClientSession(read, write) as mcp,
    ):
        await mcp.initialize()

        async def refused(tool: str, arguments: dict[str, Any], says: str) -> None:
            result = await mcp.call_tool(tool, arguments)
            assert result.is_error and says in tool_text(result.content), result

        await refused("session.create", {"callSid": "CA2", "config": {"ttl": HUGE_TTL}}, "ttl")
        await refused(
            "session.create",
            {"callSid": "CA2", "config": {"mcpEndpoint": METADATA_SERVICE}},
            "link-local",
        )
        created = await mcp.call_tool("session.create", {"callSid": "CA2"})
        sid = created.structured_content["sessionId"]  # type: ignore[index]
        # (The MCP transport itself refuses messages of megabytes.)
        big = {"blob": "x" * 100_000}
        await refused("session.update", {"sessionId": sid, "updates": {"metadata": big}}, "4096")
        await refused("session.cleanup", {"olderThan": HUGE_TTL}, "olderThan")
        got = await mcp.call_tool("session.get", {"sessionId": sid})
        assert got.structured_content["session"]["metadata"] == {}  # type: ignore[index]


async def test_an_allow_list_limits_endpoints_to_the_listed_agents(
    stack_env: dict[str, str],
) -> None:
    listed = "https://agents.example.com/mcp"
    async with janitor(
        stack_env, agent_endpoint_allowlist=listed, mcp_endpoint=f"{listed}/receptionist"
    ) as http:
        other = await http.post(
            "/v1/sessions", json={"callSid": "CA3", "config": {"mcpEndpoint": "http://other/mcp"}}
        )
        assert other.status_code == 422 and "allow-list" in other.json()["error"]
        ok = await http.post(
            "/v1/sessions", json={"callSid": "CA3", "config": {"mcpEndpoint": f"{listed}/sales"}}
        )
        assert ok.status_code == 201, ok.text
        default = await http.post("/v1/sessions", json={"callSid": "CA3"})
        session = (await http.get(f"/v1/sessions/{default.json()['sessionId']}")).json()["session"]
        assert session["mcpEndpoint"] == f"{listed}/receptionist"
