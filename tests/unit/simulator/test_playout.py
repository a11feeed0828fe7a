from __future__ import annotations

import pytest
from parley_simulator.playout import PlayoutModel
from parley_simulator.webhook import CallRejectedError, parse_connect_twiml


def test_marks_are_echoed_only_after_the_audio_before_them_has_played() -> None:
    model = PlayoutModel(started=0.0)
    model.play(b"\x01" * 800, now=0.0)  # 100 ms
    model.mark("t1.s0", now=0.0)
    assert model.due_marks(now=0.05) == []
    assert model.due_marks(now=0.1) == ["t1.s0"]
    assert model.due_marks(now=0.2) == []


def test_a_mark_with_nothing_queued_comes_back_at_once() -> None:
    model = PlayoutModel(started=0.0)
    model.mark("t0.s0.last", now=1.0)
    assert model.due_marks(now=1.0) == ["t0.s0.last"]


def test_clear_drops_unplayed_audio_and_returns_pending_marks() -> None:
    model = PlayoutModel(started=0.0)
    model.play(b"\x01" * 8000, now=0.0)  # one second
    model.mark("t1.s0", now=0.0)
    assert model.clear(now=0.25) == ["t1.s0"]
    assert len(model.heard) == 2000
    model.play(b"\x02" * 80, now=0.5)
    assert len(model.heard) == 4000 + 80  # silence fills the gap before new audio


def test_twiml_without_a_stream_is_a_rejection_that_says_why() -> None:
    with pytest.raises(CallRejectedError, match="cannot take your call"):
        parse_connect_twiml("<Response><Say>We cannot take your call</Say><Hangup/></Response>")
    instructions = parse_connect_twiml(
        '<Response><Connect><Stream url="wss://x/twilio/media">'
        '<Parameter name="sessionId" value="s1"/></Stream></Connect></Response>'
    )
    assert instructions.url == "wss://x/twilio/media" and instructions.parameters == {
        "sessionId": "s1"
    }
