"""The telephone endpointer both offline recognisers share."""

from __future__ import annotations

from parley_speech.speech_endpointer import (
    EndpointerConfig,
    EndpointEvent,
    SpeechBegan,
    SpeechEnded,
    SpeechHeard,
    SpeechPaused,
    SpeechResumed,
    TelephoneEndpointer,
)

from tests.unit.speech.synthetic_voice import silence, voiced

BYTES_PER_MS = 32  # 16 kHz, 16-bit


def run(endpointer: TelephoneEndpointer, frames: list[bytes]) -> list[EndpointEvent]:
    return [event for frame in frames for event in endpointer.feed(frame)]


def marks(events: list[EndpointEvent]) -> list[EndpointEvent]:
    return [e for e in events if not isinstance(e, SpeechHeard)]


def test_an_utterance_starts_and_ends_where_the_voice_does() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=300))
    events = run(endpointer, silence(500) + voiced(800) + silence(600))
    began, ended = marks(events)
    assert isinstance(began, SpeechBegan) and isinstance(ended, SpeechEnded)
    assert 300 <= began.start_ms <= 600
    assert 1200 <= ended.end_ms <= 1600
    heard = b"".join(e.pcm for e in events if isinstance(e, SpeechHeard))
    assert abs(len(heard) / BYTES_PER_MS - (ended.end_ms - began.start_ms)) <= 40


def test_a_pause_inside_an_utterance_is_reported_and_so_is_the_voice_going_on() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=600, pause_ms=150))
    events = marks(run(endpointer, silence(500) + voiced(800) + silence(400) + voiced(600)))
    kinds = [type(e) for e in events]
    assert kinds == [SpeechBegan, SpeechPaused, SpeechResumed], kinds
    events = marks(run(endpointer, silence(1000)))
    assert [type(e) for e in events] == [SpeechPaused, SpeechEnded]


def test_without_a_pause_setting_no_pauses_are_reported() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=600))
    events = marks(run(endpointer, silence(500) + voiced(800) + silence(400) + voiced(600)))
    assert [type(e) for e in events] == [SpeechBegan]


def test_the_end_of_the_audio_ends_the_utterance_whatever_is_left_unframed() -> None:
    """However the last frame falls (some of these lengths leave nothing waiting to be
    framed, which the endpointer's end_stream cannot take), the utterance ends where the
    audio does."""
    for voice_ms in range(800, 1400, 20):
        endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=300))
        run(endpointer, silence(500) + voiced(voice_ms))
        assert endpointer.in_speech
        *_, ended = endpointer.finish()
        assert ended == SpeechEnded(int(endpointer.fed_ms)), voice_ms


def test_nothing_to_finish_outside_speech() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=300))
    run(endpointer, silence(500) + voiced(800) + silence(600))
    assert endpointer.finish() == []


def test_an_utterance_is_kept_as_far_back_as_the_history_reaches() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=300, history_ms=1000))
    began, *_ = marks(run(endpointer, silence(500) + voiced(600)))
    assert isinstance(began, SpeechBegan)
    fed = endpointer.fed_ms
    assert len(endpointer.audio_between(began.start_ms, fed)) == (fed - began.start_ms) * 32
    run(endpointer, voiced(3000))
    # Older audio than the history holds is gone; what is left is returned.
    kept = len(endpointer.audio_between(0, endpointer.fed_ms)) / BYTES_PER_MS
    assert 1000 <= kept <= 2000


def test_between_utterances_only_the_endpointer_window_is_kept() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=300, history_ms=60_000))
    run(endpointer, silence(500) + voiced(600) + silence(5000))
    kept = len(endpointer.audio_between(0, endpointer.fed_ms)) / BYTES_PER_MS
    assert 300 <= kept <= 2 * 340


def test_no_history_is_kept_unless_asked_for() -> None:
    endpointer = TelephoneEndpointer(EndpointerConfig(silence_ms=300))
    run(endpointer, silence(1000))
    assert endpointer.audio_between(0, endpointer.fed_ms) == b""
