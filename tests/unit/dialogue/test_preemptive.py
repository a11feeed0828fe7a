"""When the caller counts as pausing, and when final words confirm a reply started early."""

from __future__ import annotations

from parley_contracts import Transcript
from parley_dialogue.preemptive import InterimWatch, spoken_words


def heard(text: str, end_ms: int) -> Transcript:
    return Transcript(
        session_id="s",
        edge_slot=0,
        text=text,
        confidence=0.9,
        is_final=False,
        start_ms=0,
        end_ms=end_ms,
    )


def test_words_match_whatever_their_case_punctuation_and_spacing() -> None:
    assert spoken_words("What time  do you open?") == spoken_words("what time do you open")
    assert spoken_words("Two, please.") != spoken_words("Three, please.")
    assert spoken_words("I'd like 2") == "i'd like 2"


def test_the_same_words_over_more_audio_count_as_a_pause() -> None:
    watch = InterimWatch()
    assert watch.observe(heard("what time", 300)) == 1
    assert watch.observe(heard("what time do you open", 600)) == 1
    assert watch.observe(heard("What time do you open?", 900)) == 2
    assert watch.observe(heard("what time do you open", 1200)) == 3


def test_a_repeated_interim_over_no_more_audio_is_no_pause() -> None:
    watch = InterimWatch()
    watch.observe(heard("what time do you open", 600))
    assert watch.observe(heard("what time do you open", 600)) == 1


def test_new_words_or_a_reset_start_the_count_again() -> None:
    watch = InterimWatch()
    watch.observe(heard("what time", 300))
    watch.observe(heard("what time", 600))
    assert watch.observe(heard("what time on sunday", 900)) == 1
    watch.reset()
    assert watch.words == ""
    assert watch.observe(heard("what time on sunday", 300)) == 1
