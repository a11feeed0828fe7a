import pytest
from parley_stt.settings import SttSettings
from pydantic import ValidationError


def test_provider_defaults_to_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLEY_STT", raising=False)
    assert SttSettings(_env_file=None).provider == "local"


def test_unavailable_provider_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_STT", "nuance")
    with pytest.raises(ValidationError, match="PARLEY_STT='nuance'"):
        SttSettings(_env_file=None)
