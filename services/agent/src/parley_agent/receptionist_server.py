"""The demo receptionist as an MCP server: one ``respond`` tool (contract v1) around the
pure rules in ``receptionist``."""

from __future__ import annotations

import os
import time
from typing import Literal

from mcp.server.mcpserver import MCPServer

from parley_agent.contract import Action, Reply, Turn
from parley_agent.metrics import TOOL_CALLS, TOOL_DURATION_MS
from parley_agent.receptionist import answer


def front_desk_number() -> str:
    return os.environ.get("PARLEY_AGENT_FRONT_DESK", "+15550100000")


def build_receptionist(front_desk: str) -> MCPServer:
    server = MCPServer("parley-demo-receptionist", instructions="A dental-practice receptionist.")

    @server.tool(name="respond", description="Answer the caller (Parley agent tool contract v1).")
    def respond(
        sessionId: str,
        event: Literal["call_started", "utterance", "dtmf"],
        utterance: str = "",
        dtmf: str | None = None,
        context: list[Turn] | None = None,
    ) -> Reply:
        started = time.perf_counter()
        turns = [{"role": t.role, "text": t.text} for t in context or []]
        result = answer(event, utterance, turns, dtmf, front_desk)
        TOOL_CALLS.labels(event=event).inc()
        TOOL_DURATION_MS.observe((time.perf_counter() - started) * 1000)
        return Reply(reply=result.reply, actions=[Action.model_validate(a) for a in result.actions])

    return server
