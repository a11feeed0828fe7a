"""Reading what the agent tool sends back (see docs/agent-contract.md): the result as an
AgentReply, and the pieces of a v2 reply streamed before it."""

from __future__ import annotations

from typing import Any

import orjson
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from parley_agent_client.contract import CONTRACT_V2, AgentReply
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


def parse_reply_delta(message: str | None) -> str | None:
    """The reply text a v2 progress message carries, or None when the message is not a
    reply delta (ordinary progress, another type, or not JSON): those are ignored."""
    if not message:
        return None
    try:
        payload: Any = orjson.loads(message)
    except orjson.JSONDecodeError:
        return None
    match payload:
        case {"v": int() as version, "type": "reply.delta", "text": str() as text} if (
            version == CONTRACT_V2 and not isinstance(version, bool)
        ):
            return text
    return None
