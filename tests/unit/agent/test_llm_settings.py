"""The LLM agent's settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from parley_agent.llm.settings import LlmConfigError, LlmSettings


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_LLM_TOOL_SERVERS", "crm=http://crm/mcp, http://calendar/mcp")
    monkeypatch.setenv("PARLEY_LLM_TRANSFER_NUMBERS", "+15550100000")
    settings = LlmSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.tool_servers == ("crm=http://crm/mcp", "http://calendar/mcp")
    assert settings.transfer_numbers == ("+15550100000",)


def test_openai_variables_are_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_LLM_API_KEY", raising=False)
    monkeypatch.delenv("PARLEY_LLM_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8770/v1")
    settings = LlmSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.api_key.get_secret_value() == "sk-openai"
    assert settings.base_url == "http://127.0.0.1:8770/v1"
    monkeypatch.setenv("PARLEY_LLM_API_KEY", "sk-parley")
    assert LlmSettings(_env_file=None).api_key.get_secret_value() == "sk-parley"  # type: ignore[call-arg]


def test_the_default_prompt_ships_with_the_agent() -> None:
    assert "telephone" in LlmSettings.model_validate({}).system_prompt()


def test_an_unreadable_prompt_file_names_the_setting(tmp_path: Path) -> None:
    settings = LlmSettings.model_validate({"system_prompt_file": tmp_path / "missing.txt"})
    with pytest.raises(LlmConfigError, match="PARLEY_LLM_SYSTEM_PROMPT_FILE"):
        settings.system_prompt()
