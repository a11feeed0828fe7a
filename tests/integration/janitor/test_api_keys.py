"""The session API behind API keys: every /v1/sessions route and the MCP endpoint refuse
a request without a key, with a key no entry admits, and with a key short of the
operation's scope; the right scope is let through, counted and audited under the key's
id; health, readiness and metrics stay open."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from parley_sessions import SCOPES, Scope, new_api_key

from tests.integration.janitor.harness import janitor, tool_text
from tests.support.failed_start import start_up_output

pytestmark = pytest.mark.integration

KEYS = {scope: new_api_key(f"client-{scope}", [scope]) for scope in ("read", "write", "admin")}
API_KEYS = ",".join(entry.line() for _, entry in KEYS.values())
WRONG_KEY = new_api_key("stranger", ["admin"])[0]  # well formed, but no entry admits it
SID = str(uuid.uuid4())
# Each route with a body it would accept, and the scope it needs.
ROUTES: list[tuple[str, str, dict[str, Any] | None, Scope]] = [
    ("POST", "/v1/sessions", {"callSid": "CA-auth"}, "write"),
    ("GET", f"/v1/sessions/{SID}", None, "read"),
    ("PATCH", f"/v1/sessions/{SID}", {"updates": {"metadata": {"a": 1}}}, "write"),
    ("POST", f"/v1/sessions/{SID}/close", {}, "write"),
    ("POST", "/v1/sessions/cleanup", {"olderThan": 86400}, "admin"),
]
TOOLS: list[tuple[str, dict[str, Any], Scope]] = [
    ("session.create", {"callSid": "CA-auth"}, "write"),
    ("session.get", {"sessionId": SID}, "read"),
    ("session.update", {"sessionId": SID, "updates": {"metadata": {"a": 1}}}, "write"),
    ("session.close", {"sessionId": SID}, "write"),
    ("session.cleanup", {"olderThan": 86400}, "admin"),
]
WEAKER: dict[Scope, Scope | None] = {"read": None, "write": "read", "admin": "write"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@asynccontextmanager
async def mcp_client(
    http: httpx.AsyncClient, key: str | None, statuses: list[int] | None = None
) -> AsyncIterator[Client]:
    """The official MCP client against the janitor, sending ``key`` if given; the status
    of each HTTP response it gets is appended to ``statuses``."""
    url = str(http.base_url).rstrip("/") + "/mcp"

    async def record(response: httpx2.Response) -> None:
        if statuses is not None:
            statuses.append(response.status_code)

    async with create_mcp_http_client(headers=bearer(key) if key else None) as client:
        client.event_hooks["response"].append(record)
        async with Client(streamable_http_client(url, http_client=client)) as mcp:
            yield mcp


async def test_every_route_refuses_a_missing_wrong_or_weaker_key(
    stack_env: dict[str, str],
) -> None:
    async with janitor(stack_env, api_keys=API_KEYS) as http:
        for method, path, body, scope in ROUTES:
            missing = await http.request(method, path, json=body)
            assert missing.status_code == 401, (method, path)
            assert missing.headers["www-authenticate"].startswith("Bearer ")
            assert f'scope="{scope}"' in missing.headers["www-authenticate"]
            wrong = await http.request(method, path, json=body, headers=bearer(WRONG_KEY))
            assert wrong.status_code == 401, (method, path)
            assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
            not_bearer = await http.request(
                method, path, json=body, headers={"Authorization": f"Basic {KEYS[scope][0]}"}
            )
            assert not_bearer.status_code == 401
            weaker = WEAKER[scope]
            if weaker is not None:
                short = await http.request(method, path, json=body, headers=bearer(KEYS[weaker][0]))
                assert short.status_code == 403, (method, path)
                assert 'error="insufficient_scope"' in short.headers["www-authenticate"]
                assert f"lacks the '{scope}' scope" in short.json()["error"]


async def test_the_scope_and_those_above_it_are_let_through(stack_env: dict[str, str]) -> None:
    async with janitor(stack_env, api_keys=API_KEYS) as http:
        for method, path, body, scope in ROUTES:
            for holder in SCOPES[SCOPES.index(scope) :]:
                response = await http.request(
                    method, path, json=body, headers=bearer(KEYS[holder][0])
                )
                # Past the key: the unknown session is the route's own answer.
                assert response.status_code in (200, 201, 404), (method, path, response.text)
        created = await http.post(
            "/v1/sessions", json={"callSid": "CA-ok"}, headers=bearer(KEYS["write"][0])
        )
        sid = created.json()["sessionId"]
        got = await http.get(f"/v1/sessions/{sid}", headers=bearer(KEYS["read"][0]))
        assert got.status_code == 200 and got.json()["session"]["callSid"] == "CA-ok"


async def test_health_readiness_and_metrics_need_no_key(stack_env: dict[str, str]) -> None:
    async with janitor(stack_env, api_keys=API_KEYS) as http:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await http.get(path)).status_code == 200, path


async def test_mcp_refuses_a_missing_or_wrong_key_before_any_message(
    stack_env: dict[str, str],
) -> None:
    async with janitor(stack_env, api_keys=API_KEYS) as http:
        for key in (None, WRONG_KEY):
            statuses: list[int] = []
            with pytest.raises(BaseExceptionGroup):
                async with mcp_client(http, key, statuses) as mcp:
                    await mcp.list_tools()
            assert statuses and set(statuses) == {401}, (key, statuses)
        raw = await http.post(
            "/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )
        assert raw.status_code == 401 and raw.headers["www-authenticate"].startswith("Bearer ")


async def test_mcp_tools_need_their_scope(stack_env: dict[str, str]) -> None:
    async with janitor(stack_env, api_keys=API_KEYS) as http:
        async with mcp_client(http, KEYS["read"][0]) as mcp:
            listed = {tool.name for tool in (await mcp.list_tools()).tools}
            got = await mcp.call_tool("session.get", {"sessionId": SID})
            assert not got.is_error and "null" in tool_text(got.content)
        assert listed == {name for name, _, _ in TOOLS}
        for name, arguments, scope in TOOLS:
            weaker = WEAKER[scope]
            if weaker is None:
                continue
            statuses: list[int] = []
            with pytest.raises(BaseExceptionGroup):
                async with mcp_client(http, KEYS[weaker][0], statuses) as mcp:
                    await mcp.call_tool(name, arguments)
            assert statuses[-1] == 403, (name, statuses)
            refused = await _raw_call(http, KEYS[weaker][0], name, arguments)
            assert refused.status_code == 403, name
            assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
            assert f'scope="{scope}"' in refused.headers["www-authenticate"]
            async with mcp_client(http, KEYS[scope][0]) as mcp:
                result = await mcp.call_tool(name, arguments)
            # Past the key: the unknown session is the tool's own answer.
            assert not result.is_error or "not" in tool_text(result.content), name


async def test_each_key_has_limits_of_its_own(stack_env: dict[str, str]) -> None:
    """Two clients calling from one address: one using up its budget refuses not the other."""
    run = uuid.uuid4().hex[:8]
    (first, first_entry), (second, second_entry) = (
        new_api_key(f"ops-{n}-{run}", ["admin"]) for n in (1, 2)
    )
    keys = f"{first_entry.line()},{second_entry.line()}"
    async with janitor(stack_env, api_keys=keys, rate_limit_window_s=600) as http:
        cleanup = {"olderThan": 86400}
        answers = [
            (await http.post("/v1/sessions/cleanup", json=cleanup, headers=bearer(first)))
            for _ in range(11)
        ]
        assert [a.status_code for a in answers] == [200] * 10 + [429]
        other = await http.post("/v1/sessions/cleanup", json=cleanup, headers=bearer(second))
        assert other.status_code == 200, other.text


async def test_calls_count_and_are_audited_under_the_key_id(
    stack_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="parley_janitor.audit")
    key = KEYS["write"][0]
    async with janitor(stack_env, api_keys=API_KEYS) as http:
        created = await http.post(
            "/v1/sessions",
            json={"callSid": "CA-audit", "config": {"ttl": 60}},
            headers=bearer(key),
        )
        sid = created.json()["sessionId"]
        await http.patch(
            f"/v1/sessions/{sid}",
            json={"updates": {"metadata": {"secret": "do-not-log"}}},
            headers=bearer(key),
        )
        await http.get(f"/v1/sessions/{sid}", headers=bearer(key))
        async with mcp_client(http, key) as mcp:
            await mcp.call_tool("session.close", {"sessionId": sid})
    audits = [r.__dict__ for r in caplog.records if getattr(r, "event", "") == "janitor.audit"]
    assert [(a["caller"], a["operation"], a["session_id"], a["outcome"]) for a in audits] == [
        ("key:client-write", "session.create", sid, "ok"),
        ("key:client-write", "session.update", sid, "ok"),
        ("key:client-write", "session.close", sid, "ok"),
    ]
    logged = " ".join(str(a) for a in audits)
    assert "do-not-log" not in logged and "CA-audit" not in logged and key not in logged


async def _raw_call(
    http: httpx.AsyncClient, key: str, name: str, arguments: dict[str, Any]
) -> httpx.Response:
    """One tools/call as JSON-RPC over HTTP, to read the refusal's status and headers."""
    return await http.post(
        "/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        },
        headers={**bearer(key), "Accept": "application/json, text/event-stream"},
    )


def test_a_janitor_without_keys_does_not_start_and_says_what_to_set(
    stack_env: dict[str, str],
) -> None:
    output = start_up_output("janitor", {**stack_env, "PARLEY_JANITOR_API_KEYS": ""})
    assert "janitor.auth_not_configured" in output and "PARLEY_JANITOR_AUTH=off" in output
    assert "Traceback" not in output
