"""Parley dialogue worker: utterances to replies through an MCP agent."""
