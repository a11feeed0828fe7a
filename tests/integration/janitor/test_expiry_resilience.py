"""One bad session record never stops the janitor: the cleanup and the expiry sweep close
the rest, and a slot the control topic does not have is refused where sessions are made.
Against the real Kafka and Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from parley_bus import BusPublisher, KafkaConnection, build_broker
from parley_contracts import CALL_EVENTS, CONTROL, CallStarted, HangUp, SessionClosed
from parley_janitor.lifecycle import PAGE_SIZE
from parley_sessions import SessionStore, open_session_store
from prometheus_client import REGISTRY

from tests.integration.dialogue.harness import TopicProbe
from tests.integration.janitor.harness import idle_session, janitor

pytestmark = pytest.mark.integration

# parley.control has CONTROL.partitions partitions on the test broker; this is far past them.
MISSING_SLOT = 999


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def store(stack_env: dict[str, str]) -> AsyncIterator[SessionStore]:
    store = open_session_store("redis", stack_env["REDIS_URL"])
    try:
        yield store
    finally:
        await store.close_store()


@pytest.fixture
async def probe(stack_env: dict[str, str]) -> AsyncIterator[TopicProbe]:
    probe = TopicProbe(stack_env["KAFKA_BOOTSTRAP_SERVERS"])
    await probe.start()
    try:
        yield probe
    finally:
        await probe.stop()


async def test_cleanup_closes_every_session_past_one_it_cannot_hang_up(
    stack_env: dict[str, str], store: SessionStore, probe: TopicProbe
) -> None:
    # The bad record is the idlest, so it is listed first; more than a page follows it.
    bad = await idle_session(store, edge_slot=MISSING_SLOT, ttl=3600, idle_s=60)
    good = [await idle_session(store, edge_slot=3, ttl=3600) for _ in range(PAGE_SIZE + 7)]
    failures = _count("janitor_close_failures_total", step="hangup")
    async with janitor(stack_env) as http:
        # Every idle session in the shared Redis is closed, each announced on Kafka.
        answer = await http.post("/v1/sessions/cleanup", json={"olderThan": 20}, timeout=120)
    assert answer.status_code == 200, answer.text
    assert answer.json()["cleaned"] >= len(good) + 1
    for session in [bad, *good]:
        loaded = await store.get(session.id)
        assert loaded is not None and loaded.status == "closed"
        assert loaded.metadata["closeReason"] == "cleanup"
    assert _count("janitor_close_failures_total", step="hangup") == failures + 1
    last = good[-1].id
    await probe.wait_for(last, lambda es: any(isinstance(e, HangUp) for e in es))
    await probe.wait_for(bad.id, lambda es: any(isinstance(e, SessionClosed) for e in es))
    assert probe.of(bad.id, HangUp) == []


async def test_expiry_sweep_goes_on_past_a_session_it_cannot_hang_up(
    stack_env: dict[str, str], store: SessionStore, probe: TopicProbe
) -> None:
    async with janitor(stack_env, sweep_interval_s=0.2):
        bad = await idle_session(store, edge_slot=MISSING_SLOT, idle_s=60)
        good = await idle_session(store, edge_slot=2)
        await probe.wait_for(good.id, lambda es: any(isinstance(e, HangUp) for e in es))
        # The sweeper is still running: a session expiring later is closed too.
        later = await idle_session(store, edge_slot=2)
        await probe.wait_for(later.id, lambda es: any(isinstance(e, HangUp) for e in es))
    loaded = await store.get(bad.id)
    assert loaded is not None and loaded.status == "closed"
    assert loaded.metadata["closeReason"] == "ttl_expired"


async def test_a_call_on_an_edge_slot_the_topic_lacks_gets_no_session(
    stack_env: dict[str, str], store: SessionStore
) -> None:
    broker = build_broker(
        KafkaConnection(stack_env["KAFKA_BOOTSTRAP_SERVERS"]), client_id="janitor-test-calls"
    )
    refused = _count("janitor_invalid_edge_slots_total")
    bad, good = str(uuid.uuid4()), str(uuid.uuid4())
    async with janitor(stack_env):
        await broker.start()
        try:
            publisher = BusPublisher(broker)
            for session_id, slot in ((bad, MISSING_SLOT), (good, CONTROL.partitions - 1)):
                started = CallStarted(
                    session_id=session_id, edge_slot=slot, call_sid="CA1", stream_sid="MZ1"
                )
                await publisher.event(CALL_EVENTS, started)
            for _ in range(300):
                if await store.get(good) and _count("janitor_invalid_edge_slots_total") > refused:
                    break
                await asyncio.sleep(0.05)
        finally:
            await broker.stop()
    assert await store.get(good) is not None
    assert _count("janitor_invalid_edge_slots_total") == refused + 1
    assert await store.get(bad) is None


async def test_an_update_naming_an_edge_slot_the_topic_lacks_is_refused(
    stack_env: dict[str, str],
) -> None:
    async with janitor(stack_env) as http:
        sid = (await http.post("/v1/sessions", json={"callSid": "CA300"})).json()["sessionId"]
        for slot in (MISSING_SLOT, CONTROL.partitions, -1, "3"):
            refused = await http.patch(
                f"/v1/sessions/{sid}", json={"updates": {"metadata": {"edgeSlot": slot}}}
            )
            assert refused.status_code == 422, refused.text
            assert f"metadata.edgeSlot {slot!r} is not an edge slot" in refused.json()["error"]
            assert f"{CONTROL.partitions} partitions" in refused.json()["error"]
        accepted = await http.patch(
            f"/v1/sessions/{sid}", json={"updates": {"metadata": {"edgeSlot": 4}}}
        )
        assert accepted.status_code == 200
        assert accepted.json()["session"]["metadata"]["edgeSlot"] == 4
