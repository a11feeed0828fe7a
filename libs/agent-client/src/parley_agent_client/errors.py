from __future__ import annotations


class AgentError(Exception):
    """The agent could not give a usable reply."""


class AgentUnavailableError(AgentError):
    """The agent cannot be reached (down, refusing, or timing out)."""


class AgentTimeoutError(AgentUnavailableError):
    """The agent did not answer within the per-request timeout."""


class AgentCircuitOpenError(AgentUnavailableError):
    """The agent failed repeatedly; Parley is not calling it until the circuit half-opens."""


class AgentAuthError(AgentError):
    """The agent refused Parley's credentials; retrying will not help."""


class AgentProtocolError(AgentError):
    """The agent answered, but not with the reply the tool contract requires."""
