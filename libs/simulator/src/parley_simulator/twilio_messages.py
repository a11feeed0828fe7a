"""What Twilio sends for one call: the webhooks' form parameters and the Media Stream's
JSON events, built from the call's ids."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from parley_audio.framing import FRAME_MS

CONNECTED: dict[str, Any] = {"event": "connected", "protocol": "Call", "version": "1.0.0"}


@dataclass(frozen=True)
class TwilioCall:
    caller: str
    callee: str
    call_sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    stream_sid: str = field(default_factory=lambda: "MZ" + secrets.token_hex(16))
    account_sid: str = field(default_factory=lambda: "AC" + secrets.token_hex(16))

    def webhook_params(self, status: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": status,
            "Direction": "inbound",
            "From": self.caller,
            "To": self.callee,
            "Caller": self.caller,
            "Called": self.callee,
        }

    def start(self, parameters: dict[str, str]) -> dict[str, Any]:
        return {
            "event": "start",
            "sequenceNumber": "1",
            "streamSid": self.stream_sid,
            "start": {
                "accountSid": self.account_sid,
                "streamSid": self.stream_sid,
                "callSid": self.call_sid,
                "tracks": ["inbound"],
                "customParameters": parameters,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }

    def media(self, chunk: int, frame: bytes) -> dict[str, Any]:
        """The ``chunk``-th 20 ms frame of caller audio (chunks count from 1)."""
        return {
            "event": "media",
            "sequenceNumber": str(chunk + 1),
            "streamSid": self.stream_sid,
            "media": {
                "track": "inbound",
                "chunk": str(chunk),
                "timestamp": str((chunk - 1) * FRAME_MS),
                "payload": base64.b64encode(frame).decode(),
            },
        }

    def mark(self, name: str) -> dict[str, Any]:
        return {
            "event": "mark",
            "sequenceNumber": "0",
            "streamSid": self.stream_sid,
            "mark": {"name": name},
        }

    def stop(self) -> dict[str, Any]:
        return {
            "event": "stop",
            "sequenceNumber": "0",
            "streamSid": self.stream_sid,
            "stop": {"accountSid": self.account_sid, "callSid": self.call_sid},
        }
