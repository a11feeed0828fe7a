"""A call's life at the edge: one session and one place per call however often its webhook
comes, one stream start across every instance, and a pending call that never streams
released at its timeout with its session ended."""

from __future__ import annotations

import asyncio

import pytest
from parley_contracts import CallEnded
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger, EdgeFullError, StreamRefusedError
from parley_sessions import CallIndexUnavailableError, IndexedCall

from tests.support.memory_call_index import MemoryCallIndex
from tests.unit.edge.scripted_socket import RecordingPublisher

CALL = "CA" + "a" * 32
OTHER_CALL = "CA" + "b" * 32


def ledger(
    index: MemoryCallIndex, max_calls: int = 10, pending_timeout_s: float = 60
) -> tuple[CallLedger, RecordingPublisher]:
    publisher = RecordingPublisher()
    return CallLedger(CallAdmission(max_calls), index, publisher, pending_timeout_s), publisher


def ended(publisher: RecordingPublisher) -> list[tuple[str, str, str]]:
    """Every event published, each a ``call.ended``: (session, call, reason)."""
    events = publisher.events
    assert all(isinstance(e, CallEnded) for e in events)
    return [(e.session_id, e.call_sid, e.reason) for e in events if isinstance(e, CallEnded)]


async def until(condition: object, timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def test_every_webhook_of_a_call_gets_its_one_session_and_one_place() -> None:
    calls, _ = ledger(MemoryCallIndex(), max_calls=2)
    first = await calls.answer(CALL)
    replays = [await calls.answer(CALL) for _ in range(50)]
    assert not first.replayed and first.state == "pending"
    assert {(r.session_id, r.state, r.replayed) for r in replays} == {
        (first.session_id, "pending", True)
    }
    assert len(calls) == 1
    assert not (await calls.answer(OTHER_CALL)).replayed  # a real second caller gets in
    with pytest.raises(EdgeFullError):
        await calls.answer("CA" + "c" * 32)
    await calls.close()


async def test_a_call_refused_at_the_limit_stays_refused() -> None:
    index = MemoryCallIndex()
    calls, _ = ledger(index, max_calls=1)
    await calls.answer(CALL)
    with pytest.raises(EdgeFullError):
        await calls.answer(OTHER_CALL)
    replay = await calls.answer(OTHER_CALL)
    assert replay.replayed and replay.state == "ended"
    await calls.close()


async def test_a_call_streams_once_whichever_instance_its_starts_reach() -> None:
    index = MemoryCallIndex()  # shared, as Redis is by every edge instance
    (first, _), (second, _) = ledger(index), ledger(index)
    call = await first.answer(CALL)
    await first.start_stream(CALL, call.session_id)
    for instance in (first, second):
        with pytest.raises(StreamRefusedError) as refused:
            await instance.start_stream(CALL, call.session_id)
        assert refused.value.reason == "replayed"
    assert (len(first), len(second)) == (1, 0)
    await first.stream_ended(CALL, call.session_id)
    with pytest.raises(StreamRefusedError) as refused:
        await second.start_stream(CALL, call.session_id)
    assert refused.value.reason == "call_ended"
    assert (await second.answer(CALL)).state == "ended"
    await first.close()


async def test_a_start_for_a_session_no_edge_answered_the_call_with_is_refused() -> None:
    calls, _ = ledger(MemoryCallIndex())
    await calls.answer(CALL)
    for call_sid, session_id in ((CALL, "another-session"), (OTHER_CALL, "any")):
        with pytest.raises(StreamRefusedError) as refused:
            await calls.start_stream(call_sid, session_id)
        assert refused.value.reason == "unknown_call"
    await calls.close()


async def test_a_pending_call_whose_stream_never_starts_is_released_and_ended() -> None:
    index = MemoryCallIndex(pending_timeout_s=0.1)
    calls, publisher = ledger(index, max_calls=1, pending_timeout_s=0.1)
    call = await calls.answer(CALL)
    await until(lambda: publisher.events)
    assert ended(publisher) == [(call.session_id, CALL, "stream_not_connected")]
    assert len(calls) == 0
    assert await index.lookup(CALL) == IndexedCall(call.session_id, "ended")
    with pytest.raises(StreamRefusedError) as late:
        await calls.start_stream(CALL, call.session_id)
    assert late.value.reason == "call_ended"
    assert not (await calls.answer(OTHER_CALL)).replayed  # its place is free again
    await calls.close()


async def test_a_pending_call_that_streams_on_another_instance_is_not_ended() -> None:
    index = MemoryCallIndex(pending_timeout_s=0.1)
    answering, publisher = ledger(index, pending_timeout_s=0.1)
    streaming, _ = ledger(index)
    call = await answering.answer(CALL)
    await streaming.start_stream(CALL, call.session_id)
    await until(lambda: len(answering) == 0)  # the place it held here is given back
    await asyncio.sleep(0.1)
    assert publisher.events == []
    assert await index.lookup(CALL) == IndexedCall(call.session_id, "streaming")
    assert len(streaming) == 1
    await answering.close()


async def test_twilio_ending_a_pending_call_frees_its_place_and_ends_its_session() -> None:
    calls, publisher = ledger(MemoryCallIndex(), max_calls=1)
    call = await calls.answer(CALL)
    assert await calls.call_ended(CALL, "canceled") == IndexedCall(call.session_id, "pending")
    assert ended(publisher) == [(call.session_id, CALL, "canceled")]
    assert len(calls) == 0
    assert await calls.call_ended(OTHER_CALL, "completed") is None
    await calls.close()


class UnreachableIndex(MemoryCallIndex):
    async def start_stream(self, call_sid: str, session_id: str) -> IndexedCall | None:
        raise CallIndexUnavailableError("the call index cannot be reached at REDIS_URL")


async def test_a_start_is_refused_while_the_index_cannot_be_asked() -> None:
    calls, _ = ledger(UnreachableIndex(answered={CALL: "session"}))
    with pytest.raises(StreamRefusedError) as refused:
        await calls.start_stream(CALL, "session")
    assert refused.value.reason == "index_unavailable"
    assert "REDIS_URL" in str(refused.value)
    assert len(calls) == 0
