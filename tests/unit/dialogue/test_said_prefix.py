"""What the caller already heard is skipped when a reply is asked for again."""

from __future__ import annotations

from parley_dialogue.said_prefix import SaidPrefix, without_said


def streamed(said: str, pieces: list[str]) -> str:
    prefix = SaidPrefix(said)
    return "".join(prefix.strip(piece) for piece in pieces)


def test_a_repeated_opening_is_skipped_however_it_is_cut_into_pieces() -> None:
    pieces = ["Let me ", "check that", " for you. ", "Monday is free."]
    assert streamed("Let me check that for you.", pieces) == "Monday is free."


def test_case_spacing_and_punctuation_do_not_hide_a_repetition() -> None:
    assert streamed("let me check, that for you", ["Let me check that for you! Done."]) == "Done."


def test_a_reply_that_says_something_else_is_said_whole() -> None:
    assert streamed("Let me check.", ["Let us ", "see."]) == "Let us see."


def test_nothing_said_yet_skips_nothing() -> None:
    assert streamed("", ["Hello", " there."]) == "Hello there."


def test_a_whole_reply_loses_its_repeated_opening() -> None:
    assert without_said("One moment.", "One moment. We open at nine.") == "We open at nine."
    assert without_said("One moment.", "One moment.") == ""
    assert without_said("One moment.", "Sorry, we are closed.") == "Sorry, we are closed."
