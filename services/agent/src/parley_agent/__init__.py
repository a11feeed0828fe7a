"""Parley demo agent: an MCP server playing a small receptionist."""
