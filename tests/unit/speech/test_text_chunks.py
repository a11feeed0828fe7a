import pytest
from hypothesis import given
from hypothesis import strategies as st
from parley_speech.text_chunks import TextLimits, bound_text, split_text

SENTENCES = "Your table is booked for eight. We will send a text. Anything else?"


def test_short_text_is_one_chunk_without_its_surrounding_space() -> None:
    assert split_text("  Your table is booked.\n", 250) == ["Your table is booked."]
    assert split_text(" \n ", 250) == []


def test_long_text_is_cut_after_the_last_sentence_that_fits() -> None:
    assert split_text(SENTENCES, 55) == [
        "Your table is booked for eight. We will send a text.",
        "Anything else?",
    ]


def test_a_sentence_end_inside_closing_quotes_is_a_sentence_end() -> None:
    text = 'She said "see you at eight." Then she left the restaurant.'
    assert split_text(text, 40)[0] == 'She said "see you at eight."'


def test_a_sentence_too_long_is_cut_at_its_last_clause_break_that_fits() -> None:
    text = "We have a table at eight, one at nine; and one at ten: which suits you"
    assert split_text(text, 40) == [
        "We have a table at eight, one at nine;",
        "and one at ten: which suits you",
    ]


def test_a_clause_too_long_is_cut_between_words() -> None:
    assert split_text("one two three four five six", 10) == ["one two", "three four", "five six"]


def test_a_word_too_long_is_cut_at_the_limit() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@given(st.text(alphabet=st.sampled_from("ab .,;:!?\n\"'"), max_size=400), st.integers(1, 60))
def test_no_chunk_is_over_the_limit_and_the_text_is_kept_in_order(
    text: str, max_chars: int
) -> None:
    chunks = split_text(text, max_chars)
    assert all(0 < len(chunk) <= max_chars for chunk in chunks)
    assert all(chunk == chunk.strip() for chunk in chunks)
    rest = text
    for chunk in chunks:  # each chunk is the next of the text, after whitespace only
        rest = rest.lstrip()
        assert rest.startswith(chunk)
        rest = rest[len(chunk) :]
    assert rest.strip() == ""


def test_text_past_the_total_is_refused_and_counted() -> None:
    text = "Word after word, " * 1_250  # 21,250 characters, no sentence end
    bounded = bound_text(text, TextLimits(chunk_chars=250, total_chars=3_000))
    assert 1 < len(bounded.chunks) <= 3_000 // 200
    assert all(len(chunk) <= 250 for chunk in bounded.chunks)
    spoken = " ".join(bounded.chunks)
    assert text.startswith(spoken) and 3_000 - 250 < len(spoken) <= 3_000
    assert bounded.refused_chars == len(text[len(spoken) :].strip()) > 18_000


def test_text_within_the_total_is_not_refused() -> None:
    bounded = bound_text(SENTENCES, TextLimits(chunk_chars=40, total_chars=len(SENTENCES)))
    assert " ".join(bounded.chunks) == SENTENCES and bounded.refused_chars == 0


def test_a_chunk_limit_over_the_total_is_rejected() -> None:
    with pytest.raises(ValueError, match="chunk_chars"):
        TextLimits(chunk_chars=500, total_chars=400)
