"""PARLEY_AGENT picks the brain parley-agent serves."""

from __future__ import annotations

import pytest
from parley_agent.brains import UnknownBrainError, build_brain


def test_the_receptionist_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_AGENT", raising=False)
    assert build_brain().name == "parley-demo-receptionist"


def test_llm_selects_the_language_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_AGENT", "llm")
    assert build_brain().name == "parley-llm-agent"


def test_an_unknown_brain_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_AGENT", "oracle")
    with pytest.raises(UnknownBrainError, match="PARLEY_AGENT='oracle'"):
        build_brain()
