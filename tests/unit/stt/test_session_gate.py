"""Audio is recognised only for live calls; malformed frames never open a recogniser."""

from __future__ import annotations

import asyncio

import pytest
from parley_contracts import CallStarted
from parley_sessions import MemorySessionStore, Session
from parley_stt import metrics
from parley_stt.session_gate import SessionGate

from tests.unit.stt.recording_recognizer import (
    SESSION,
    RecordingRecognizer,
    feed,
    heard,
    worker_with,
)

QUICK = 0.3  # seconds a call's first frames wait for the call to be confirmed


def started(session_id: str = SESSION) -> CallStarted:
    return CallStarted(session_id=session_id, edge_slot=0, call_sid="CA1", stream_sid="MZ1")


async def test_audio_for_a_session_that_does_not_exist_opens_no_recogniser() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer, SessionGate(MemorySessionStore(), confirm_within_s=QUICK))
    refused_before = metrics.REFUSED_FRAMES._value.get()
    await feed(worker, 0)
    await asyncio.sleep(QUICK + 0.2)
    for seq in range(1, 4):
        await feed(worker, seq)
    assert recognizer.streams == []
    assert metrics.REFUSED_FRAMES._value.get() == refused_before + 3
    await worker.shutdown()


async def test_a_call_whose_start_arrives_after_its_first_frames_loses_none_of_them() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer, SessionGate(MemorySessionStore(), confirm_within_s=3.0))
    for seq in range(3):
        await feed(worker, seq)
    await worker.on_call_event(started())
    await feed(worker, 3)
    assert await heard(recognizer) == [0, 1, 2, 3]
    await worker.shutdown()


async def test_a_call_taken_over_mid_way_is_confirmed_by_the_session_store() -> None:
    store = MemorySessionStore()
    session = await store.create(Session(call_sid="CA1"))
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer, SessionGate(store, confirm_within_s=QUICK))
    await feed(worker, 0, session_id=session.id)
    assert await heard(recognizer) == [0]
    await worker.shutdown()


async def test_audio_for_a_closed_session_is_refused() -> None:
    store = MemorySessionStore()
    session = await store.create(Session(call_sid="CA1"))
    await store.close(session.id, "hangup")
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer, SessionGate(store, confirm_within_s=QUICK))
    await feed(worker, 0, session_id=session.id)
    await asyncio.sleep(QUICK + 0.2)
    assert recognizer.streams == []
    await worker.shutdown()


@pytest.mark.parametrize("size", [0, 8001, 900_000])
async def test_frames_of_impossible_sizes_are_skipped_and_counted(size: int) -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    before = metrics.BAD_FRAMES.labels(kind="size")._value.get()
    headers = {"v": "1", "session": SESSION, "seq": "0", "ts": "0", "recv": "0", "slot": "0"}
    await worker.on_audio(b"\x7f" * size, {**headers, "codec": "audio/x-mulaw;rate=8000"})
    await asyncio.sleep(0.05)
    assert recognizer.streams == []
    assert metrics.BAD_FRAMES.labels(kind="size")._value.get() == before + 1
    await worker.shutdown()


async def test_frames_without_their_headers_are_skipped_and_counted() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    before = metrics.BAD_FRAMES.labels(kind="headers")._value.get()
    await worker.on_audio(b"\x7f" * 160, {})
    assert recognizer.streams == []
    assert metrics.BAD_FRAMES.labels(kind="headers")._value.get() == before + 1
    await worker.shutdown()
