"""Talking to the agent brain over MCP."""

from parley_agent_client.client import AgentClient
from parley_agent_client.contract import (
    AgentAction,
    AgentReply,
    AgentRequest,
    AgentToolCall,
    AgentTurn,
)
from parley_agent_client.errors import (
    AgentAuthError,
    AgentCircuitOpenError,
    AgentError,
    AgentProtocolError,
    AgentTimeoutError,
    AgentUnavailableError,
)
from parley_agent_client.sentences import split_sentences

__all__ = [
    "AgentAction",
    "AgentAuthError",
    "AgentCircuitOpenError",
    "AgentClient",
    "AgentError",
    "AgentProtocolError",
    "AgentReply",
    "AgentRequest",
    "AgentTimeoutError",
    "AgentToolCall",
    "AgentTurn",
    "AgentUnavailableError",
    "split_sentences",
]
