"""The session tools' published schemas: derived from the models SessionInput validates
with and the answers the service gives, so the two cannot drift apart."""

from __future__ import annotations

from typing import Any

from parley_janitor.mcp_tools import build_mcp_server
from parley_janitor.session_input import (
    IMMUTABLE_FIELDS,
    MAX_NAME_LENGTH,
    MAX_OLDER_THAN_S,
    MAX_TTL_S,
    SessionUpdates,
)
from parley_janitor.session_service import SessionService
from parley_sessions import Session


async def listed() -> dict[str, dict[str, Any]]:
    # Listing never reaches the service.
    server = build_mcp_server(SessionService.__new__(SessionService), lambda _: "caller")
    return {
        tool.name: tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        for tool in await server.list_tools()
    }


async def test_inputs_carry_the_bounds_session_input_enforces() -> None:
    tools = await listed()
    create = tools["session.create"]["inputSchema"]
    assert create["properties"]["callSid"]["maxLength"] == MAX_NAME_LENGTH
    config = create["$defs"]["SessionConfig"]
    ttl = next(arm for arm in config["properties"]["ttl"]["anyOf"] if arm["type"] == "integer")
    assert (ttl["minimum"], ttl["maximum"]) == (1, MAX_TTL_S)
    assert config["additionalProperties"] is False
    cleanup = tools["session.cleanup"]["inputSchema"]["properties"]["olderThan"]
    assert (cleanup["type"], cleanup["maximum"]) == ("integer", MAX_OLDER_THAN_S)
    for name in ("session.get", "session.update", "session.close"):
        assert tools[name]["inputSchema"]["properties"]["sessionId"]["format"] == "uuid"


def test_updates_are_a_partial_session_less_the_immutable_fields() -> None:
    session_fields = {field.alias for field in Session.model_fields.values()}
    updatable = {field.alias for field in SessionUpdates.model_fields.values()}
    assert updatable | IMMUTABLE_FIELDS == session_fields
    assert not updatable & IMMUTABLE_FIELDS
    description = SessionUpdates.model_json_schema()["description"]
    assert all(name in description for name in IMMUTABLE_FIELDS)


async def test_outputs_are_the_session_record_and_the_http_bodies() -> None:
    outputs = {name: tool["outputSchema"] for name, tool in (await listed()).items()}
    assert {name: set(schema["required"]) for name, schema in outputs.items()} == {
        "session.create": {"sessionId", "createdAt"},
        "session.get": {"session"},
        "session.update": {"updated", "session"},
        "session.close": {"closed", "duration"},
        "session.cleanup": {"cleaned"},
    }
    session = outputs["session.update"]["$defs"]["Session"]
    assert set(session["properties"]) == {field.alias for field in Session.model_fields.values()}
