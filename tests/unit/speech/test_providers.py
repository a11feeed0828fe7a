import pytest
from parley_speech import LOCAL_PROVIDER, check_speech_provider


def test_local_is_accepted_in_any_case_and_spacing() -> None:
    assert check_speech_provider("PARLEY_STT", " Local ") == LOCAL_PROVIDER


def test_unavailable_provider_names_the_setting_and_the_choices() -> None:
    with pytest.raises(ValueError, match=r"PARLEY_TTS='nuance'.*available: .*local"):
        check_speech_provider("PARLEY_TTS", "nuance")


def test_every_provider_a_call_may_name_is_registered() -> None:
    from parley_contracts import SPEECH_PROVIDERS
    from parley_speech.providers import RECOGNIZERS, SYNTHESIZERS

    assert set(RECOGNIZERS) <= set(SPEECH_PROVIDERS)
    assert set(SYNTHESIZERS) <= set(SPEECH_PROVIDERS)
