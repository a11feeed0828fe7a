"""In-process stand-ins for a call stream's surroundings: a media socket that plays a
script of frames, and a publisher that records (and encodes) what would go to Kafka."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Any, cast

from parley_bus import BusPublisher
from parley_contracts import Event, InboundAudioHeaders, TopicSpec, encode_event
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger
from parley_edge.call_stream import CallStream, EdgeContext
from parley_edge.carriers.twilio.call_control import TwilioCallControl
from parley_edge.carriers.twilio.serializer import TwilioMediaSerializer
from parley_edge.registry import CallRegistry
from parley_edge.stream_token import StreamTokens
from starlette.websockets import WebSocket, WebSocketState

from tests.support.memory_call_index import MemoryCallIndex

SESSION_ID = "session-under-test"
CALL_SID = "CA" + "1" * 32
STREAM_SID = "MZ" + "2" * 32
TOKENS = StreamTokens("hostile-input-secret", ttl_s=60)


class ScriptedSocket:
    """Delivers ``frames`` (str: text, bytes: binary), then the peer's disconnect, or with
    ``idle_after`` nothing ever again (a peer that keeps the socket open in silence)."""

    def __init__(self, frames: Sequence[str | bytes], idle_after: bool = False) -> None:
        self._frames = deque(frames)
        self._idle_after = idle_after
        self.client_state = WebSocketState.CONNECTED
        self.close_code: int | None = None
        self.sent: list[str] = []

    async def receive(self) -> dict[str, Any]:
        if self.close_code is not None:
            return {"type": "websocket.disconnect", "code": self.close_code}
        if self._frames:
            frame = self._frames.popleft()
            key = "text" if isinstance(frame, str) else "bytes"
            return {"type": "websocket.receive", key: frame}
        if self._idle_after:
            await asyncio.Event().wait()
        return {"type": "websocket.disconnect", "code": 1000}

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.close_code = code
        self.client_state = WebSocketState.DISCONNECTED

    async def send_text(self, text: str) -> None:
        self.sent.append(text)


class RecordingPublisher(BusPublisher):
    """Records events and caller frames in order; encodes them as the real one would."""

    def __init__(self) -> None:
        super().__init__(cast(Any, None))
        self.log: list[Event | tuple[bytes, InboundAudioHeaders]] = []

    async def event(self, topic: TopicSpec, event: Event, partition: int | None = None) -> None:
        encode_event(event)
        self.log.append(event)

    async def caller_audio(self, frame: bytes, meta: InboundAudioHeaders) -> None:
        meta.to_headers()
        self.log.append((frame, meta))

    @property
    def frames(self) -> list[bytes]:
        return [entry[0] for entry in self.log if isinstance(entry, tuple)]

    @property
    def events(self) -> list[Event]:
        return [entry for entry in self.log if isinstance(entry, Event)]


def edge_context(
    publisher: BusPublisher, start_timeout_s: float = 5.0, index: MemoryCallIndex | None = None
) -> EdgeContext:
    """An edge instance whose voice webhook answered :data:`CALL_SID` with :data:`SESSION_ID`
    (or one sharing ``index`` with another instance)."""
    index = index or MemoryCallIndex(answered={CALL_SID: SESSION_ID})
    return EdgeContext(
        publisher=publisher,
        registry=CallRegistry(),
        tokens=TOKENS,
        calls=CallLedger(CallAdmission(max_calls=10), index, publisher, pending_timeout_s=60),
        serializer=TwilioMediaSerializer(),
        call_control=TwilioCallControl("AC" + "0" * 32, "token", "http://127.0.0.1:9", 0.5),
        slot=0,
        playback_ahead_ms=100,
        max_call_duration_s=3600,
        start_timeout_s=start_timeout_s,
    )


def call_stream(socket: ScriptedSocket, edge: EdgeContext) -> CallStream:
    return CallStream(cast(WebSocket, socket), edge)
