"""A reply cleaned for speech while it is written: each sentence handed out as soon as it
is whole, and the whole reply spoken as it would be had it come at once."""

from __future__ import annotations

import pytest
from parley_dialogue.speech_stream import SpeechStream
from parley_dialogue.speech_text import SpeechTextCleaner, SpeechTextPolicy


def stream(**policy: object) -> SpeechStream:
    return SpeechStream(SpeechTextCleaner(SpeechTextPolicy(**policy)))  # type: ignore[arg-type]


def fed(speech: SpeechStream, pieces: list[str]) -> list[list[str]]:
    """What each piece made speakable."""
    return [speech.feed(piece) for piece in pieces]


def test_each_sentence_comes_out_as_soon_as_it_is_whole() -> None:
    speech = stream()
    out = fed(speech, ["We open ", "at nine. ", "We close", " at five.", " Bye"])
    assert out == [[], ["We open at nine."], [], [], ["We close at five."]]
    assert speech.finish() == ["Bye."]


def test_the_first_clause_of_a_long_first_sentence_comes_first() -> None:
    speech = stream()
    out = fed(speech, ["Sure, I can book an appointment ", "for you.", " When?"])
    assert out == [[], [], ["Sure,", "I can book an appointment for you."]]
    assert speech.finish() == ["When?"]


def test_an_abbreviation_does_not_end_a_sentence() -> None:
    speech = stream()
    assert fed(speech, ["Please see Dr. ", "Smith at three. ", "Thanks"])[:2] == [
        [],
        ["Please see Doctor Smith at three."],
    ]


def test_markdown_and_links_are_cleaned_as_in_a_whole_reply() -> None:
    pieces = ["## Hours\n", "**Monday**: 9 ", "to 5. See [our site](https://x.example/a) ", "now."]
    speech = stream()
    out = [sentence for piece in pieces for sentence in speech.feed(piece)] + speech.finish()
    whole, warnings = SpeechTextCleaner().clean_all("".join(pieces))
    assert out == whole == ["Hours.", "Monday: 9 to 5.", "See our site now."]
    assert speech.warnings == warnings


def test_a_code_block_is_held_until_it_closes_and_never_spoken() -> None:
    speech = stream()
    assert speech.feed("Run this. ```python\nprint('x'). ") == ["Run this."]
    assert speech.feed("more(). ") == []
    assert speech.feed("```\nThen call us. ") == ["Then call us."]
    assert "code block removed" in speech.warnings


def test_the_length_cap_is_over_the_whole_streamed_reply() -> None:
    speech = stream(max_chars=60)
    out: list[str] = []
    for number in range(10):
        out += speech.feed(f"Sentence number {number} is here. ")
    out += speech.finish()
    assert out == ["Sentence number 0 is here.", "Sentence number 1 is here."]
    assert any(w.startswith("reply shortened") for w in speech.warnings)


def test_the_rest_of_the_reply_can_come_with_the_end() -> None:
    speech = stream()
    assert speech.feed("Hello there. ") == ["Hello there."]
    assert speech.finish("How can I help?") == ["How can I help?"]


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("We open at nine. We clo", ["We open at nine."]),
        ("We open at nine. We close at five.", ["We open at nine.", "We close at five."]),
    ],
)
def test_a_cut_reply_keeps_only_what_was_finished(written: str, spoken: list[str]) -> None:
    speech = stream()
    out = speech.feed(written)
    assert out + speech.cut() == spoken
