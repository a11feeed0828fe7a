"""Agent replies written for screens come out as plain spoken sentences."""

from __future__ import annotations

import pytest
from parley_dialogue.speech_text import SpeechTextCleaner, SpeechTextPolicy


def spoken(reply: str, **policy: object) -> tuple[str, list[str]]:
    sentences, warnings = SpeechTextCleaner(SpeechTextPolicy(**policy)).clean_all(reply)  # type: ignore[arg-type]
    return " ".join(sentences), warnings


def test_markdown_is_stripped_and_links_become_their_text() -> None:
    text, warnings = spoken(
        "## Opening hours\n\n**Monday** to *Friday*: 9 to 5.\n"
        "- Saturday: closed\n- See [our page](https://example.com/hours) for `holidays`"
    )
    assert text == (
        "Opening hours. Monday to Friday: 9 to 5. Saturday: closed. See our page for holidays."
    )
    assert "markdown removed" in warnings


def test_ssml_tags_are_removed_but_their_words_kept() -> None:
    text, warnings = spoken('<speak>Hello <break time="300ms"/> there.</speak>')
    assert text == "Hello there."
    assert warnings == ["SSML tags removed"]


def test_code_blocks_are_not_read_aloud() -> None:
    text, warnings = spoken("Run this:\n```python\nprint('x')\n```\nThen call us.")
    assert "print" not in text
    assert text.endswith("Then call us.")
    assert "code block removed" in warnings


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        ("mask", "Book at a link or write to an email address."),
        ("remove", "Book at or write to."),
    ],
)
def test_urls_and_emails_are_masked_or_removed(treatment: str, expected: str) -> None:
    text, warnings = spoken(
        "Book at https://dental.example/book or write to desk@dental.example.",
        urls=treatment,
        emails=treatment,
    )
    assert text == expected
    assert any("urls" in w for w in warnings) and any("emails" in w for w in warnings)


def test_phone_numbers_are_kept_by_default_and_maskable() -> None:
    reply = "Call us on +1 555 010 0000 any time."
    assert spoken(reply)[0] == reply
    assert spoken(reply, phone_numbers="mask")[0] == "Call us on a phone number any time."


def test_abbreviations_and_awkward_punctuation_are_spoken_naturally() -> None:
    text, _ = spoken(
        "Dr. Smith sees you in 20 mins, e.g. at 3pm... Great!!! Fees vs. insurance; 50%"
    )
    assert text == (
        "Doctor Smith sees you in 20 minutes, for example at 3pm. Great! "
        "Fees versus insurance, 50 percent."
    )


def test_emoji_and_symbols_are_dropped() -> None:
    assert spoken("Done \u2705 \u2014 see you soon \U0001f600")[0] == "Done, see you soon."


def test_length_is_capped_at_a_sentence_boundary() -> None:
    reply = " ".join(f"Sentence number {i} is here." for i in range(40))
    text, warnings = spoken(reply, max_chars=100)
    assert len(text) <= 100
    assert text.endswith("is here.")
    assert any(w.startswith("reply shortened") for w in warnings)


def test_long_first_sentence_is_split_at_its_first_comma() -> None:
    sentences, _ = SpeechTextCleaner().clean_all(
        "Sure, I can book an appointment for you. Which day, and what time?"
    )
    assert sentences == ["Sure,", "I can book an appointment for you.", "Which day, and what time?"]


def test_short_first_sentence_or_late_comma_is_not_split() -> None:
    cleaner = SpeechTextCleaner()
    assert cleaner.clean_all("Yes, we can.")[0] == ["Yes, we can."]
    late = "We are open from nine in the morning until five in the evening, Monday to Friday."
    assert cleaner.clean_all(late)[0] == [late]


def test_sentences_are_produced_lazily() -> None:
    cleaned = SpeechTextCleaner().clean("First one. Second one. Third one.")
    assert next(cleaned.sentences) == "First one."
    assert list(cleaned.sentences) == ["Second one.", "Third one."]


def test_a_reply_with_nothing_speakable_yields_no_sentences() -> None:
    assert SpeechTextCleaner().clean_all("```\ncode only\n```") == ([], ["code block removed"])
