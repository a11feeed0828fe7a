"""The dialogue service in-process against the real Kafka and session store (Redis unless
the settings choose another), with a probe that watches what it publishes for one call."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from parley_bus import BusPublisher, KafkaConnection, build_broker
from parley_contracts import (
    CALL_EVENTS,
    CONTROL,
    REPLIES,
    TRANSCRIPTS,
    CallStarted,
    Event,
    PlaybackMarked,
    ReplySentence,
    TopicSpec,
    Transcript,
    call_event_decoder,
    control_event_decoder,
    reply_event_decoder,
)
from parley_dialogue.app import create_app
from parley_dialogue.settings import DialogueSettings
from parley_sessions import Session, SessionStore

from tests.support.mcp_agents import EchoAgent, StreamingAgent, serving, serving_mcp

DECODERS = {
    REPLIES.name: reply_event_decoder,
    CONTROL.name: control_event_decoder,
    CALL_EVENTS.name: call_event_decoder,
}


class TopicProbe:
    """Everything published on the dialogue's output topics from now on."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.events: list[tuple[str, Event]] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        partitions = [
            TopicPartition(spec.name, p)
            for spec in (REPLIES, CONTROL, CALL_EVENTS)
            for p in range(spec.partitions)
        ]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for tp in partitions:
            await self._consumer.position(tp)
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for message in self._consumer:
            decoder = DECODERS[message.topic]
            with contextlib.suppress(Exception):
                self.events.append((message.topic, decoder.decode(message.value)))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    def of(self, session_id: str, kind: type[Event] | None = None) -> list[Event]:
        return [
            e
            for _, e in self.events
            if e.session_id == session_id and (kind is None or isinstance(e, kind))
        ]

    async def wait_for(
        self, session_id: str, check: Callable[[list[Event]], bool], timeout: float = 15
    ) -> list[Event]:
        deadline = asyncio.get_running_loop().time() + timeout
        while not check(self.of(session_id)):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; saw {self.of(session_id)}")
            await asyncio.sleep(0.02)
        return self.of(session_id)


class DialogueHarness:
    def __init__(
        self, env: dict[str, str], publisher: BusPublisher, probe: TopicProbe, store: SessionStore
    ) -> None:
        self.env = env
        self.publisher = publisher
        self.probe = probe
        # Where the janitor would have created the call's session.
        self.store = store

    async def start_call(self, edge_slot: int = 3) -> str:
        session = Session(call_sid="CA" + uuid.uuid4().hex)
        await self.store.create(session)
        await self.announce_call(session, edge_slot)
        return session.id

    async def announce_call(self, session: Session, edge_slot: int = 3) -> None:
        """The edge's word that the call (whose session exists) has started."""
        await self.publisher.event(
            CALL_EVENTS,
            CallStarted(
                session_id=session.id,
                edge_slot=edge_slot,
                call_sid=session.call_sid,
                stream_sid="MZ" + uuid.uuid4().hex,
            ),
        )

    async def send(self, topic: TopicSpec, event: Event) -> None:
        await self.publisher.event(topic, event)

    async def session_with_turns(
        self, session_id: str, turn_ids: list[int], timeout: float = 10
    ) -> Session:
        """The stored session once it holds exactly these turns: a turn is recorded
        just after its reply is published, so a reader right after the reply can be early."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            session = await self.store.get(session_id)
            recorded = [t.turn_id for t in session.turns] if session else None
            if recorded == turn_ids:
                assert session is not None
                return session
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the store holds turns {recorded}, expected {turn_ids}")
            await asyncio.sleep(0.05)


async def fresh_consumer_group(bootstrap: str, *topics: TopicSpec) -> str:
    """A consumer group whose committed offsets are the topics' current ends, so a
    service joining it starts with new messages only and owns every partition."""
    group = f"dialogue-test-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit({tp: offset for tp, offset in ends.items()})
    finally:
        await consumer.stop()
    return group


@contextlib.asynccontextmanager
async def running_dialogue(env: dict[str, str], **settings: Any) -> AsyncIterator[DialogueHarness]:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    config = DialogueSettings(
        kafka_bootstrap_servers=bootstrap,
        redis_url=env["REDIS_URL"],
        consumer_group=await fresh_consumer_group(bootstrap, TRANSCRIPTS, CALL_EVENTS),
        **settings,
    )
    broker = build_broker(
        KafkaConnection(env["KAFKA_BOOTSTRAP_SERVERS"]), client_id="dialogue-test"
    )
    probe = TopicProbe(env["KAFKA_BOOTSTRAP_SERVERS"])
    store = config.open_session_store()
    await broker.start()
    await probe.start()
    try:
        async with serving(create_app(config)) as url, httpx.AsyncClient() as http:
            await wait_ready(http, url)
            yield DialogueHarness(env, BusPublisher(broker), probe, store)
    finally:
        await probe.stop()
        await broker.stop()
        await store.close_store()


async def wait_ready(http: httpx.AsyncClient, url: str, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await http.get(f"{url}/readyz")).status_code != 200:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the dialogue service never became ready")
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def dialogue_with_agent(
    env: dict[str, str], agent: EchoAgent | StreamingAgent, **settings: Any
) -> AsyncIterator[DialogueHarness]:
    """The dialogue service talking to `agent`, served over streamable HTTP."""
    async with (
        serving_mcp(agent.app()) as agent_url,
        running_dialogue(env, agent_url=agent_url, **settings) as harness,
    ):
        yield harness


# --- what the tests say and look for -----------------------------------------------------


async def until(check: Callable[[], bool], timeout: float = 10) -> None:
    """Wait until `check` holds (something outside Kafka, such as what an agent saw)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


SLOT = 3


def sentences(events: list[Event], turn_id: int) -> list[ReplySentence]:
    return [e for e in events if isinstance(e, ReplySentence) and e.turn_id == turn_id]


def reply_done(turn_id: int) -> Callable[[list[Event]], bool]:
    return lambda events: any(s.is_last for s in sentences(events, turn_id))


def spoken(events: list[Event], turn_id: int) -> str:
    return " ".join(s.text for s in sentences(events, turn_id))


def final(session_id: str, text: str, start_ms: int = 0, end_ms: int = 900) -> Transcript:
    return Transcript(
        session_id=session_id,
        edge_slot=SLOT,
        text=text,
        confidence=0.95,
        is_final=True,
        start_ms=start_ms,
        end_ms=end_ms,
        speech_ended_at=datetime.now(UTC),
    )


def interim(session_id: str, text: str, duration_ms: int = 600) -> Transcript:
    return final(session_id, text, 0, duration_ms).model_copy(update={"is_final": False})


async def heard_in_full(harness: DialogueHarness, session_id: str, turn_id: int) -> None:
    last = max(s.index for s in sentences(harness.probe.of(session_id), turn_id))
    await harness.send(
        CALL_EVENTS,
        PlaybackMarked(session_id=session_id, turn_id=turn_id, segment=last, last_segment=True),
    )


async def converse(harness: DialogueHarness, session_id: str, lines: list[str]) -> None:
    """The greeting, then each line as the caller's next turn, every reply heard in full."""
    await harness.probe.wait_for(session_id, reply_done(0))
    await heard_in_full(harness, session_id, 0)
    for turn_id, line in enumerate(lines, start=1):
        await harness.send(TRANSCRIPTS, final(session_id, line))
        await harness.probe.wait_for(session_id, reply_done(turn_id))
        await heard_in_full(harness, session_id, turn_id)
