"""The call index's rules, on the real one in Redis and on the in-process stand-in the edge's
unit tests use: one session per call, one stream start, an end that stays, and a pending
call that lapses at its deadline."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from parley_sessions import CallIndex, IndexedCall

from tests.support.memory_call_index import MemoryCallIndex

pytestmark = pytest.mark.integration

PENDING_TIMEOUT_S = 0.3


@pytest.fixture(params=["redis", "memory"])
async def index(
    request: pytest.FixtureRequest, stack_env: dict[str, str]
) -> AsyncIterator[CallIndex]:
    if request.param == "memory":
        yield MemoryCallIndex(PENDING_TIMEOUT_S)
        return
    real = CallIndex(stack_env["REDIS_URL"], pending_timeout_s=PENDING_TIMEOUT_S)
    yield real
    await real.close()


def new_call() -> str:
    return "CA" + secrets.token_hex(16)


async def test_a_call_keeps_the_session_it_was_first_claimed_with(index: CallIndex) -> None:
    call = new_call()
    assert await index.claim(call, "first") == IndexedCall("first", "pending")
    assert await index.claim(call, "second") == IndexedCall("first", "pending")
    assert await index.lookup(call) == IndexedCall("first", "pending")
    assert await index.lookup(new_call()) is None


async def test_concurrent_claims_agree_on_one_session(index: CallIndex) -> None:
    call = new_call()
    claims = await asyncio.gather(*(index.claim(call, f"session-{n}") for n in range(20)))
    assert len({c.session_id for c in claims}) == 1


async def test_a_call_streams_once(index: CallIndex) -> None:
    call = new_call()
    await index.claim(call, "s")
    assert await index.start_stream(call, "other") == IndexedCall("s", "pending")
    assert await index.start_stream(call, "s") == IndexedCall("s", "pending")  # this one won
    assert await index.start_stream(call, "s") == IndexedCall("s", "streaming")
    assert await index.lookup(call) == IndexedCall("s", "streaming")
    assert await index.start_stream(new_call(), "s") is None


async def test_an_ended_call_stays_ended(index: CallIndex) -> None:
    call = new_call()
    await index.claim(call, "s")
    await index.start_stream(call, "s")
    assert await index.end(call, "other") is None  # another session's end is not this one's
    assert await index.end(call, "s") == IndexedCall("s", "streaming")
    assert await index.end(call) == IndexedCall("s", "ended")
    assert await index.claim(call, "new") == IndexedCall("s", "ended")
    assert await index.start_stream(call, "s") == IndexedCall("s", "ended")
    assert await index.end(new_call()) is None


async def test_only_a_call_that_never_streamed_is_ended_as_pending(index: CallIndex) -> None:
    pending, streaming = new_call(), new_call()
    for call in (pending, streaming):
        await index.claim(call, "s")
    await index.start_stream(streaming, "s")
    assert await index.end_if_pending(pending, "s")
    assert not await index.end_if_pending(pending, "s")  # ended already
    assert not await index.end_if_pending(streaming, "s")
    assert await index.lookup(streaming) == IndexedCall("s", "streaming")


async def test_a_pending_call_past_its_deadline_reads_as_ended(index: CallIndex) -> None:
    call = new_call()
    await index.claim(call, "s")
    await asyncio.sleep(PENDING_TIMEOUT_S + 0.2)
    assert await index.lookup(call) == IndexedCall("s", "ended")
    assert await index.claim(call, "new") == IndexedCall("s", "ended")
    assert await index.start_stream(call, "s") == IndexedCall("s", "ended")
    # Whoever ends it learns its stream never started.
    assert await index.end_if_pending(call, "s")
