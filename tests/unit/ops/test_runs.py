"""How `parley inspect` folds audio frames into runs between a call's other events."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from parley_audio.codec import mulaw_encode
from parley_ops import RunSummariser, TopicRecord, decode_record, summarise_runs
from parley_ops.records import SILENCE_DBFS

from tests.unit.ops.test_records import SESSION, SILENCE, audio_frame, message

OTHER = "9b2d7e10-4c3a-4f5e-8a6b-1c2d3e4f5a6b"


def tone(frames: int) -> list[bytes]:
    """A 440 Hz sine at half of full scale: RMS 0.5/sqrt(2), about -9 dBFS."""
    t = np.arange(frames * 160) / 8000
    pcm = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    audio = mulaw_encode(pcm)
    return [audio[i : i + 160] for i in range(0, len(audio), 160)]


def frames(
    payloads: list[bytes], first_seq: int, topic: str = "parley.audio.in"
) -> list[TopicRecord]:
    records = [decode_record(audio_frame(p, first_seq + i)) for i, p in enumerate(payloads)]
    return [replace(r, topic=topic) for r in records]


def event(session: str = SESSION) -> TopicRecord:
    record = decode_record(message("parley.call.events", b'{"type": "call.nonsense"}'))
    return replace(record, session=session)


def test_consecutive_frames_become_one_run_with_count_seq_range_and_duration() -> None:
    [run] = summarise_runs(frames([SILENCE] * 5, first_seq=10))
    assert run.kind == "audio.run" and run.session == SESSION
    assert run.fields["frames"] == 5
    assert (run.fields["seq_first"], run.fields["seq_last"]) == (10, 14)
    assert run.fields["duration_ms"] == 100
    assert run.fields["slot"] == "2"
    assert "frames=5" in run.as_line() and "seq_first=10" in run.as_line()


def test_a_seq_jump_starts_a_new_run() -> None:
    runs = summarise_runs(frames([SILENCE] * 3, 0) + frames([SILENCE] * 2, 7))
    assert [(r.fields["seq_first"], r.fields["seq_last"]) for r in runs] == [(0, 2), (7, 8)]


def test_an_event_of_the_session_ends_the_run_and_keeps_its_place() -> None:
    shown = summarise_runs([*frames([SILENCE] * 3, 0), event(), *frames([SILENCE] * 2, 3)])
    assert [r.kind for r in shown] == ["audio.run", "invalid", "audio.run"]
    assert [r.fields.get("frames") for r in shown] == [3, None, 2]


def test_events_of_other_sessions_and_the_other_direction_do_not_split_a_run() -> None:
    inbound = frames([SILENCE] * 4, 0)
    outbound = frames([SILENCE] * 2, 0, topic="parley.audio.out")
    stream = [*inbound[:2], outbound[0], event(OTHER), outbound[1], *inbound[2:], event()]
    shown = summarise_runs(stream)
    assert [(r.kind, r.topic, r.fields.get("frames")) for r in shown] == [
        ("invalid", "parley.call.events", None),  # the other session's event
        ("audio.run", "parley.audio.in", 4),
        ("audio.run", "parley.audio.out", 2),
        ("invalid", "parley.call.events", None),
    ]


def test_a_run_measures_a_tone_loud_and_silence_at_the_floor() -> None:
    stream = [*frames(tone(10), 0), event(), *frames([SILENCE] * 10, 10)]
    loud, quiet = summarise_runs(stream)[::2]
    assert -10.0 < loud.fields["level_dbfs"] < -8.0
    assert loud.fields["peak_dbfs"] >= loud.fields["level_dbfs"] - 0.5
    assert quiet.fields["level_dbfs"] == SILENCE_DBFS == quiet.fields["peak_dbfs"]
    assert quiet.as_json()["level_dbfs"] == SILENCE_DBFS  # a number, not null


def test_each_frame_carries_its_own_level() -> None:
    [frame] = frames(tone(1), 0)
    assert -10.0 < frame.fields["level_dbfs"] < -8.0
    assert frames([SILENCE], 0)[0].as_json()["level_dbfs"] == SILENCE_DBFS


def test_a_run_that_ends_first_still_prints_after_the_earlier_run_of_its_session() -> None:
    caller = frames([SILENCE] * 3, 0)
    agent = frames([SILENCE] * 2, 0, topic="parley.audio.out")
    sentences = [  # one frame each of two sentences: the segment changes
        replace(f, fields={**f.fields, "turn": "1", "segment": str(segment)})
        for f, segment in zip(agent, (0, 1), strict=True)
    ]
    summariser = RunSummariser()
    shown = [r for f in [*caller[:2], *sentences, caller[2]] for r in summariser.push(f)]
    assert shown == []  # the first sentence ended, but the caller's run began before it
    shown = summariser.push(event()) + summariser.flush()
    assert [(r.topic, r.fields.get("segment"), r.fields.get("frames")) for r in shown][:3] == [
        ("parley.audio.in", None, 3),
        ("parley.audio.out", "0", 1),
        ("parley.audio.out", "1", 1),
    ]
    assert shown[3].kind == "invalid" and len(shown) == 4
