"""The LLM agent as an MCP server: a ``respond`` tool that declares contract v2 and
streams the reply as progress notifications (docs/agent-contract.md, "v2: streamed
replies"). The model client and the tool servers' connection pool live as long as the
server (its lifespan); the tool servers are listed at start-up, so the first caller is not
kept waiting for them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import orjson
from mcp.server.mcpserver import Context, MCPServer

from parley_agent.contract import CONTRACT_META, StreamedReply, Turn
from parley_agent.llm import call_control
from parley_agent.llm.brain import LlmBrain
from parley_agent.llm.conversation import TurnRequest
from parley_agent.llm.model import ChatModel
from parley_agent.llm.settings import LlmSettings
from parley_agent.llm.tool_names import tool_servers
from parley_agent.llm.tools import ToolCatalogue
from parley_agent.metrics import TOOL_CALLS, TOOL_DURATION_MS


class ProgressStream:
    """Reply pieces as contract-v2 ``reply.delta`` progress; ``progress`` counts the reply's
    characters so far, so it grows with every piece as MCP requires. Without a progress
    token (a v1 request) the SDK sends nothing."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._sent = 0

    async def delta(self, text: str) -> None:
        if not text:
            return
        self._sent += len(text)
        message = orjson.dumps({"v": 2, "type": "reply.delta", "text": text}).decode()
        await self._ctx.report_progress(progress=self._sent, message=message)


def build_llm_agent(settings: LlmSettings) -> MCPServer:
    catalogue = ToolCatalogue(
        tool_servers(settings.tool_servers), settings.tool_timeout_s, call_control.NAMES
    )
    model = ChatModel(settings)
    brain = LlmBrain(settings, model, catalogue)  # reads the prompt: a bad file stops start-up

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        await catalogue.start()
        try:
            yield
        finally:
            await model.close()
            await catalogue.close()

    server = MCPServer(
        "parley-llm-agent",
        instructions="A phone agent answering with a language model.",
        lifespan=lifespan,
    )

    @server.tool(
        name="respond",
        description="Answer the caller (Parley agent tool contract v2: the reply streams as "
        "progress notifications).",
        meta=CONTRACT_META,
    )
    async def respond(
        sessionId: str,
        event: Literal["call_started", "utterance", "dtmf"],
        ctx: Context,
        utterance: str = "",
        dtmf: str | None = None,
        context: list[Turn] | None = None,
        contract: int | None = None,
        turnId: int | None = None,
        speculative: bool = False,
    ) -> StreamedReply:
        # `contract` is accepted and not needed: the reply streams whenever Parley gave a
        # progress token, and a v1 request simply has none.
        started = time.perf_counter()
        request = TurnRequest(
            session_id=sessionId,
            event=event,
            utterance=utterance,
            dtmf=dtmf,
            context=list(context or []),
            turn_id=turnId,
            speculative=speculative,
        )
        reply = await brain.respond(request, ProgressStream(ctx).delta)
        TOOL_CALLS.labels(event=event).inc()
        TOOL_DURATION_MS.observe((time.perf_counter() - started) * 1000)
        return reply

    return server
