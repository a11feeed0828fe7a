"""What a stock MCP client reads of the session tools: typed input and output schemas,
annotations, structured answers that match the schemas (and the HTTP API's bodies), and
arguments checked by the service's own validation, not by the schema."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp import Client
from mcp.types import Tool

from tests.integration.janitor.harness import janitor, tool_text

pytestmark = pytest.mark.integration

# (readOnlyHint, destructiveHint, idempotentHint); openWorldHint is false for all.
HINTS = {
    "session.create": (False, False, False),
    "session.get": (True, False, True),
    "session.update": (False, False, False),
    "session.close": (False, True, True),
    "session.cleanup": (False, True, True),
}


def resolved(schema: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """``part`` of ``schema`` with a local $ref (bare or as the non-null arm) followed."""
    arms = [a for a in part.get("anyOf", [part]) if a.get("type") != "null"]
    if len(arms) == 1 and "$ref" in arms[0]:
        return dict(schema["$defs"][arms[0]["$ref"].removeprefix("#/$defs/")])
    return part


def check(tool: Tool, structured: Any) -> None:
    assert tool.output_schema is not None
    Draft202012Validator(tool.output_schema).validate(structured)


def mcp_url(http: Any) -> str:
    return str(http.base_url).rstrip("/") + "/mcp"


async def test_every_tool_publishes_typed_schemas_and_hints(stack_env: dict[str, str]) -> None:
    async with janitor(stack_env) as http, Client(mcp_url(http)) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    assert set(tools) == set(HINTS)
    for name, tool in tools.items():
        schema = tool.input_schema
        for prop, part in schema["properties"].items():
            typed = resolved(schema, part)
            assert "type" in typed or "anyOf" in typed, (name, prop)
            if typed.get("type") == "object":
                assert typed.get("properties"), (name, prop)
        output = tool.output_schema
        assert output is not None and output["type"] == "object" and output["properties"], name
        hints = tool.annotations
        assert hints is not None and hints.open_world_hint is False, name
        assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint) == HINTS[name]

    create = tools["session.create"].input_schema
    config = resolved(create, create["properties"]["config"])
    assert set(config["properties"]) == {"mcpEndpoint", "sttProvider", "ttsProvider", "ttl"}
    assert create["properties"]["callSid"]["type"] == "string"
    update = tools["session.update"].input_schema
    assert update["properties"]["sessionId"]["format"] == "uuid"
    updates = resolved(update, update["properties"]["updates"])
    assert {"turns", "metadata", "ttl"} <= set(updates["properties"])
    assert updates["additionalProperties"] is False
    assert not {"sessionId", "callSid", "createdAt", "status"} & set(updates["properties"])
    assert "createdAt" in updates["description"] and "callSid" in updates["description"]
    turn = update["$defs"]["Turn"]
    assert {"turnId", "userUtterance", "agentResponse"} <= set(turn["required"])
    found = tools["session.get"].output_schema
    assert found is not None
    session = resolved(found, found["properties"]["session"])
    assert session["properties"]["status"]["enum"] == ["active", "closed"]


async def test_answers_are_structured_as_published_and_as_over_http(
    stack_env: dict[str, str],
) -> None:
    async with janitor(stack_env) as http, Client(mcp_url(http)) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        created = await mcp.call_tool("session.create", {"callSid": "CA300", "config": {"ttl": 90}})
        check(tools["session.create"], created.structured_content)
        assert created.structured_content is not None
        sid = created.structured_content["sessionId"]
        over_http = await http.post("/v1/sessions", json={"callSid": "CA301"})
        check(tools["session.create"], over_http.json())

        turn = {"turnId": 1, "userUtterance": "hi", "agentResponse": "hello", "latencyMs": 5}
        updated = await mcp.call_tool(
            "session.update", {"sessionId": sid, "updates": {"turns": [turn], "ttl": 120}}
        )
        check(tools["session.update"], updated.structured_content)
        assert updated.structured_content is not None
        assert updated.structured_content["updated"] is True
        assert updated.structured_content["session"]["ttl"] == 120
        patched = await http.patch(f"/v1/sessions/{sid}", json={"updates": {"metadata": {"a": 1}}})
        check(tools["session.update"], patched.json())

        got = await mcp.call_tool("session.get", {"sessionId": sid})
        check(tools["session.get"], got.structured_content)
        assert got.structured_content == (await http.get(f"/v1/sessions/{sid}")).json()
        unknown = await mcp.call_tool("session.get", {"sessionId": str(uuid.uuid4())})
        check(tools["session.get"], unknown.structured_content)
        assert unknown.structured_content == {"session": None}

        closed = await mcp.call_tool("session.close", {"sessionId": sid, "reason": "done"})
        check(tools["session.close"], closed.structured_content)
        assert closed.structured_content is not None
        assert closed.structured_content["closed"] is True
        cleaned = await mcp.call_tool("session.cleanup", {"olderThan": 86_400})
        check(tools["session.cleanup"], cleaned.structured_content)
        over_http = await http.post("/v1/sessions/cleanup", json={"olderThan": 86_400})
        check(tools["session.cleanup"], over_http.json())


async def test_the_service_validates_what_the_schema_describes(stack_env: dict[str, str]) -> None:
    async with janitor(stack_env) as http, Client(mcp_url(http)) as mcp:
        created = await mcp.call_tool("session.create", {"callSid": "CA302"})
        assert created.structured_content is not None
        sid = created.structured_content["sessionId"]
        immutable = {"sessionId": sid, "callSid": "CA9", "createdAt": "2020-01-01T00:00:00Z"}
        for field, value in immutable.items():
            refused = await mcp.call_tool(
                "session.update", {"sessionId": sid, "updates": {field: value}}
            )
            assert refused.is_error, field
            assert f"{field} cannot be changed by session.update" in tool_text(refused.content)
            assert refused.structured_content is None
        got = await mcp.call_tool("session.get", {"sessionId": sid})
        assert got.structured_content is not None
        assert got.structured_content["session"]["callSid"] == "CA302"

        # The messages are SessionInput's, the same as over HTTP, not the schema's.
        not_an_id = await mcp.call_tool("session.get", {"sessionId": "nope"})
        assert not_an_id.is_error
        assert "use the sessionId that session.create returned" in tool_text(not_an_id.content)
        quoted_ttl = await mcp.call_tool(
            "session.create", {"callSid": "CA303", "config": {"ttl": "60"}}
        )
        over_http = await http.post(
            "/v1/sessions", json={"callSid": "CA303", "config": {"ttl": "60"}}
        )
        assert quoted_ttl.is_error and over_http.status_code == 422
        assert tool_text(quoted_ttl.content).endswith(over_http.json()["error"])
