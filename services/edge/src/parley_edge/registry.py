"""Which calls this edge instance holds, so Kafka replies find their WebSocket."""

from __future__ import annotations

from typing import Protocol

from opentelemetry.context import Context
from parley_contracts import ControlEvent, OutboundAudioHeaders


class LiveCall(Protocol):
    def deliver_audio(
        self, frame: bytes, meta: OutboundAudioHeaders, trace_context: Context | None = None
    ) -> None: ...

    async def apply_control(self, event: ControlEvent) -> None: ...


class CallRegistry:
    def __init__(self) -> None:
        self._calls: dict[str, LiveCall] = {}

    def add(self, session_id: str, call: LiveCall) -> None:
        self._calls[session_id] = call

    def remove(self, session_id: str) -> None:
        self._calls.pop(session_id, None)

    def get(self, session_id: str) -> LiveCall | None:
        return self._calls.get(session_id)

    def __len__(self) -> int:
        return len(self._calls)
