from __future__ import annotations


class AgentError(Exception):
    """The agent could not give a usable reply."""


class AgentUnavailableError(AgentError):
    """The agent cannot be reached (down, refusing, or timing out)."""


class AgentProtocolError(AgentError):
    """The agent answered, but not with the reply the tool contract requires."""
