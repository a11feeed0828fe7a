"""Parley agent-client."""
