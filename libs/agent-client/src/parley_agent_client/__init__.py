"""Talking to the agent brain over MCP."""

from parley_agent_client.client import AgentClient
from parley_agent_client.contract import AgentAction, AgentReply, AgentRequest, AgentTurn
from parley_agent_client.errors import AgentError, AgentProtocolError, AgentUnavailableError
from parley_agent_client.sentences import split_sentences

__all__ = [
    "AgentAction",
    "AgentClient",
    "AgentError",
    "AgentProtocolError",
    "AgentReply",
    "AgentRequest",
    "AgentTurn",
    "AgentUnavailableError",
    "split_sentences",
]
