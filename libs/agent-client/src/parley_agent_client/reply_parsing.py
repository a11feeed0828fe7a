"""Reading the agent tool's result into an AgentReply (see docs/agent-contract.md)."""

from __future__ import annotations

from typing import Any

import orjson
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from parley_agent_client.contract import AgentReply
from parley_agent_client.errors import AgentProtocolError


def parse_tool_result(result: CallToolResult) -> AgentReply:
    texts = [c.text for c in result.content if isinstance(c, TextContent)]
    if result.is_error:
        raise AgentProtocolError(f"the agent's tool failed: {' '.join(texts)[:200]}")
    payload: Any = result.structured_content
    if payload is None:
        try:
            payload = orjson.loads(texts[0]) if texts else None
        except orjson.JSONDecodeError:
            payload = {"reply": " ".join(texts)}  # a plain-text reply is still a reply
    if isinstance(payload, dict) and "result" in payload and "reply" not in payload:
        payload = payload["result"]
    try:
        return AgentReply.model_validate(payload)
    except ValidationError as exc:
        raise AgentProtocolError(f"the agent's reply does not follow the contract: {exc}") from exc
