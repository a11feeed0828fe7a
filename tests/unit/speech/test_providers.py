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


def test_whisper_is_a_recogniser_only() -> None:
    from parley_speech import WHISPER_PROVIDER
    from parley_speech.provider_choice import ProviderChoice
    from parley_speech.providers import RECOGNIZERS, SYNTHESIZERS

    assert WHISPER_PROVIDER in RECOGNIZERS and WHISPER_PROVIDER not in SYNTHESIZERS
    with pytest.raises(ValueError, match=r"'whisper' is a speech provider, but not one for tts"):
        ProviderChoice("tts", "whisper", SYNTHESIZERS, lambda p, _: p, None)
    choice = ProviderChoice("tts", "local", SYNTHESIZERS, lambda p, _: p, None)
    with pytest.raises(ValueError, match=r"not one for tts \(those are deepgram"):
        choice.get("whisper")
