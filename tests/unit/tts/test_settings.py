import pytest
from parley_tts.settings import TtsSettings
from pydantic import ValidationError


def test_provider_read_from_parley_tts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_TTS", "LOCAL")
    assert TtsSettings(_env_file=None).provider == "local"


def test_unavailable_provider_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_TTS", "nuance")
    with pytest.raises(ValidationError, match="PARLEY_TTS='nuance'"):
        TtsSettings(_env_file=None)
