"""Which brain ``parley-agent`` serves: ``PARLEY_AGENT=receptionist`` (the default, the
demo's keyword rules) or ``llm`` (a language model behind any OpenAI-compatible endpoint,
configured by the ``PARLEY_LLM_*`` settings)."""

from __future__ import annotations

import os

from mcp.server.mcpserver import MCPServer

from parley_agent.receptionist_server import build_receptionist, front_desk_number

BRAINS = ("receptionist", "llm")


class UnknownBrainError(ValueError):
    """PARLEY_AGENT names no brain this agent has."""


def selected_brain() -> str:
    return os.environ.get("PARLEY_AGENT", "receptionist").strip().lower() or "receptionist"


def build_brain(name: str | None = None) -> MCPServer:
    """The MCP server of brain ``name`` (default: the one PARLEY_AGENT selects)."""
    name = name or selected_brain()
    if name not in BRAINS:
        raise UnknownBrainError(f"PARLEY_AGENT={name!r}: choose one of {', '.join(BRAINS)}")
    if name == "llm":
        # Imported here so the receptionist never loads the model client.
        from parley_agent.llm.server import build_llm_agent
        from parley_agent.llm.settings import LlmSettings

        return build_llm_agent(LlmSettings())
    return build_receptionist(front_desk_number())
