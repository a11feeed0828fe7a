"""The janitor refuses to start with settings its own API would refuse."""

from __future__ import annotations

import pytest
from parley_janitor.settings import JanitorSettings
from pydantic import ValidationError


def test_the_recorded_endpoint_must_pass_the_endpoint_policy() -> None:
    allowed = JanitorSettings(
        agent_endpoint_allowlist="agent:8090", mcp_endpoint="http://agent:8090/mcp"
    )
    assert allowed.mcp_endpoint == "http://agent:8090/mcp"
    with pytest.raises(ValidationError, match=r"PARLEY_JANITOR_MCP_ENDPOINT .* allow-list"):
        JanitorSettings(agent_endpoint_allowlist="agent:8090", mcp_endpoint="http://other/mcp")
    with pytest.raises(ValidationError, match=r"PARLEY_JANITOR_MCP_ENDPOINT .* link-local"):
        JanitorSettings(mcp_endpoint="http://169.254.169.254/")


def test_the_default_ttl_is_bounded_like_the_api_s() -> None:
    with pytest.raises(ValidationError, match="session_ttl_s"):
        JanitorSettings(session_ttl_s=10**13)
