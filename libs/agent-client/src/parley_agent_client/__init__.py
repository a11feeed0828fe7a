"""Talking to the agent brain over MCP."""

from parley_agent_client.client import AgentClient
from parley_agent_client.contract import (
    CONTRACT_V2,
    AgentAction,
    AgentReply,
    AgentRequest,
    AgentToolCall,
    AgentTurn,
    AgentUsage,
)
from parley_agent_client.errors import (
    AgentAuthError,
    AgentCircuitOpenError,
    AgentError,
    AgentProtocolError,
    AgentTimeoutError,
    AgentUnavailableError,
)
from parley_agent_client.reply_parsing import parse_reply_delta
from parley_agent_client.sentences import complete_length, split_sentences
from parley_agent_client.stream import AgentStream

__all__ = [
    "CONTRACT_V2",
    "AgentAction",
    "AgentAuthError",
    "AgentCircuitOpenError",
    "AgentClient",
    "AgentError",
    "AgentProtocolError",
    "AgentReply",
    "AgentRequest",
    "AgentStream",
    "AgentTimeoutError",
    "AgentToolCall",
    "AgentTurn",
    "AgentUnavailableError",
    "AgentUsage",
    "complete_length",
    "parse_reply_delta",
    "split_sentences",
]
