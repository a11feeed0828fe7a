import pytest
from parley_speech import LOCAL_PROVIDER, check_speech_provider


def test_local_is_accepted_in_any_case_and_spacing() -> None:
    assert check_speech_provider("PARLEY_STT", " Local ") == LOCAL_PROVIDER


def test_unavailable_provider_names_the_setting_and_the_choices() -> None:
    with pytest.raises(ValueError, match=r"PARLEY_TTS='deepgram'.*available: local"):
        check_speech_provider("PARLEY_TTS", "deepgram")
