"""pocketsphinx says what it has heard the moment the caller goes quiet: a paused interim
well before the end of the utterance, with the words the final will have (what
preemptive generation starts on). Piper's voice over a telephone line, the real engine."""

from __future__ import annotations

import pytest
from parley_audio import silence_frame, split_frames
from parley_speech import EndpointingConfig, FinalTranscript, PiperSynthesizer
from parley_speech.pocketsphinx_stt import PocketsphinxRecognizerFactory
from parley_speech.stt import InterimTranscript, RecognizerEvent

pytestmark = pytest.mark.integration
FRAME_MS = 20


def heard(config: EndpointingConfig, line: str) -> list[tuple[int, RecognizerEvent]]:
    """Each event with the frame number it came out at."""
    piper = PiperSynthesizer(variation=0.0)
    frames = [silence_frame()] * 25 + split_frames(b"".join(piper.synthesize_mulaw8k(line)))
    frames += [silence_frame()] * 50
    recognizer = PocketsphinxRecognizerFactory(config).create()
    events = [(n, e) for n, frame in enumerate(frames) for e in recognizer.feed(frame)]
    recognizer.close()
    return events


def test_a_paused_interim_comes_before_the_final_with_its_words() -> None:
    events = heard(EndpointingConfig(), "what time do you open on monday")
    paused = [(n, e) for n, e in events if isinstance(e, InterimTranscript) and e.paused]
    finals = [(n, e) for n, e in events if isinstance(e, FinalTranscript)]
    assert len(finals) == 1 and paused, events
    (final_at, final), (paused_at, interim) = finals[0], paused[-1]
    assert interim.text == final.text, (interim.text, final.text)
    assert interim.end_ms <= final.end_ms, "the words end where the caller stopped"
    # The pause is noticed 120 ms into the silence, the end only after 300 ms of it.
    assert (final_at - paused_at) * FRAME_MS >= 100


def test_no_paused_interim_when_pauses_are_off() -> None:
    events = heard(EndpointingConfig(pause_ms=0), "what time do you open on monday")
    assert not [e for _, e in events if isinstance(e, InterimTranscript) and e.paused]
    assert [e.text for _, e in events if isinstance(e, FinalTranscript)]
