"""Real edge processes on the local Kafka/Redis, a Twilio-shaped client for their media
socket, and a watch on what they publish."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from parley_bus import BusPublisher
from parley_contracts import (
    AUDIO_IN,
    CALL_EVENTS,
    Event,
    OutboundAudioHeaders,
    call_event_decoder,
)
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports
from parley_simulator.webhook import StreamInstructions, post_signed, request_stream
from websockets.asyncio.client import ClientConnection, connect

AUTH_TOKEN = "edge-test-token"


@dataclass
class Edge:
    slot: int
    fleet: ServiceFleet

    @property
    def url(self) -> str:
        return self.fleet.processes[f"edge-{self.slot}"].url

    async def metric(self, name: str, **labels: str) -> float:
        """One sample of the edge's /metrics (0 when it was never incremented)."""
        async with httpx.AsyncClient() as http:
            text = (await http.get(self.url + "/metrics")).text
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in text.splitlines():
            match = re.match(rf"^{name}(?:{{(.*)}})? ([0-9.e+-]+)$", line)
            if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
                return float(match.group(2))
        return 0.0


@contextlib.contextmanager
def running_edge(
    stack_env: dict[str, str], log_dir: Path, slot: int, **settings: str
) -> Iterator[Edge]:
    (port,) = free_ports(1)
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PARLEY_EDGE_SLOT": str(slot)}
    env |= {f"PARLEY_EDGE_{k.upper()}": v for k, v in settings.items()}
    fleet = ServiceFleet(stack_env, log_dir, ports={"edge": port, "agent": 1}, extra_env=env)
    try:
        fleet.add_instance("edge", f"edge-{slot}", port)
        yield Edge(slot, fleet)
    finally:
        fleet.stop()


class KafkaWatch:
    """Everything edges publish on call events and caller audio from now on."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.messages: list[tuple[str, str, bytes]] = []
        self.arrived_at: list[float] = []
        """Wall-clock time each of :attr:`messages` reached this watch."""
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        partitions = [
            TopicPartition(spec.name, p)
            for spec in (CALL_EVENTS, AUDIO_IN)
            for p in range(spec.partitions)
        ]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for tp in partitions:
            await self._consumer.position(tp)
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for message in self._consumer:
            key = (message.key or b"").decode()
            self.messages.append((message.topic, key, message.value or b""))
            self.arrived_at.append(time.time())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    def any_for(self, session_id: str) -> bool:
        return any(key == session_id for _, key, _ in self.messages)

    def audio_frames(self, session_id: str) -> list[bytes]:
        return [v for t, k, v in self.messages if t == AUDIO_IN.name and k == session_id]

    def events(self, session_id: str) -> list[Event]:
        return [
            call_event_decoder.decode(v)
            for t, k, v in self.messages
            if t == CALL_EVENTS.name and k == session_id
        ]

    async def wait_for(self, session_id: str, kind: type[Event], timeout_s: float = 10) -> Event:
        async with asyncio.timeout(timeout_s):
            while True:
                found = [e for e in self.events(session_id) if isinstance(e, kind)]
                if found:
                    return found[0]
                await asyncio.sleep(0.05)


@dataclass
class TwilioStream:
    """One call's media socket, driven message by message as Twilio would."""

    edge: Edge
    call_sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    stream_sid: str = field(default_factory=lambda: "MZ" + secrets.token_hex(16))
    account_sid: str = "AC" + "c" * 32
    instructions: StreamInstructions | None = None
    ws: ClientConnection | None = None
    chunk: int = 0

    @property
    def session_id(self) -> str:
        assert self.instructions is not None
        return self.instructions.parameters["sessionId"]

    async def answer(self) -> StreamInstructions:
        params = {"CallSid": self.call_sid, "AccountSid": self.account_sid, "From": "+1555"}
        async with httpx.AsyncClient() as http:
            self.instructions = await request_stream(http, self.edge.url, AUTH_TOKEN, params)
        return self.instructions

    async def status_callback(self, status: str) -> int:
        params = {"CallSid": self.call_sid, "AccountSid": self.account_sid, "CallStatus": status}
        async with httpx.AsyncClient() as http:
            url = self.edge.url + "/twilio/status"
            return (await post_signed(http, url, AUTH_TOKEN, params)).status_code

    async def open(self, headers: dict[str, str] | None = None) -> ClientConnection:
        assert self.instructions is not None
        self.ws = await connect(self.instructions.url, additional_headers=headers)
        return self.ws

    async def start(self, parameters: dict[str, str] | None = None) -> None:
        assert self.instructions is not None
        custom = self.instructions.parameters if parameters is None else parameters
        start = {
            "accountSid": self.account_sid,
            "streamSid": self.stream_sid,
            "callSid": self.call_sid,
            "tracks": ["inbound"],
            "customParameters": custom,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        await self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send({"event": "start", "streamSid": self.stream_sid, "start": start})

    async def call(self) -> None:
        """Webhook, socket, start: a call in progress."""
        await self.answer()
        await self.open()
        await self.start()

    async def media(self, frame: bytes = b"\xff" * 160) -> None:
        self.chunk += 1
        payload = base64.b64encode(frame).decode()
        media = {"track": "inbound", "chunk": str(self.chunk), "timestamp": str(self.chunk * 20)}
        await self.send(
            {"event": "media", "streamSid": self.stream_sid, "media": media | {"payload": payload}}
        )

    async def send(self, message: dict[str, Any] | str) -> None:
        assert self.ws is not None
        await self.ws.send(message if isinstance(message, str) else orjson.dumps(message).decode())

    async def stop(self) -> None:
        await self.send(
            {"event": "stop", "streamSid": self.stream_sid, "stop": {"callSid": self.call_sid}}
        )

    async def receive(self, timeout_s: float = 5) -> dict[str, Any]:
        assert self.ws is not None
        return dict(orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout_s)))


async def agent_says(
    replies: BusPublisher, slot: int, session_id: str, frames: list[bytes], end_segment: bool
) -> None:
    """Agent audio for one call, written to ``slot``'s partition as tts would (turn 1)."""
    for seq, frame in enumerate(frames):
        last = end_segment and seq == len(frames) - 1
        meta = OutboundAudioHeaders(
            session_id=session_id,
            turn_id=1,
            segment=0,
            seq=seq,
            last_in_segment=last,
            last_segment=last,
        )
        await replies.agent_audio(frame, meta, slot)
