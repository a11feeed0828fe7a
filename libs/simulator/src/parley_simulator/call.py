"""A phone call placed exactly as Twilio would: webhook, TwiML, then a Media Stream
carrying the caller's audio in real time while the agent's audio is played back."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from parley_audio.framing import FRAME_MS, silence_frame
from parley_contracts import SegmentMark
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from parley_simulator.playout import PlayoutModel
from parley_simulator.webhook import post_signed, request_stream

log = logging.getLogger(__name__)


@dataclass
class CallerTurn:
    script: str
    frames: list[bytes]
    barge_in_after_ms: int | None = None
    """Start speaking this long after the previous reply began, instead of waiting for
    it to finish: the caller interrupts the agent."""
    before_speaking: Callable[[str], Awaitable[None]] | None = None
    """Run with the session id just before this turn's audio starts (fault injection in
    tests); the line keeps streaming silence meanwhile, as a real call would."""


@dataclass
class CallOptions:
    turns: list[CallerTurn]
    edge_url: str = "http://127.0.0.1:8080"
    janitor_url: str = "http://127.0.0.1:8084"
    auth_token: str = "dev-auth-token"
    caller: str = "+15550001111"
    callee: str = "+15550002222"
    greeting_timeout_s: float = 20.0
    reply_timeout_s: float = 30.0
    pause_after_reply_s: float = 0.6


@dataclass
class TurnReport:
    script: str
    transcript: str | None = None
    reply: str | None = None
    latency_ms: float | None = None
    reply_audio: bytes = b""
    cut_off_by_caller: bool = False
    recorded_as_interrupted: bool | None = None
    stages: dict[str, float] | None = None
    """Where the turn's time went, as Parley measured it (ms per stage)."""


@dataclass
class CallReport:
    session_id: str
    call_sid: str
    greeting_audio: bytes = b""
    turns: list[TurnReport] = field(default_factory=list)
    heard: bytes = b""
    ended_by: str = "caller"
    session: dict[str, Any] | None = None
    clears_received: int = 0
    stale_frames_after_clear: int = 0
    """Agent frames that arrived after a `clear` while the caller was still talking:
    audio of an interrupted reply that should have been dropped."""

    def to_json(self) -> dict[str, Any]:
        return {
            "sessionId": self.session_id,
            "callSid": self.call_sid,
            "endedBy": self.ended_by,
            "greetingAudioMs": len(self.greeting_audio) // 8,
            "turns": [
                {
                    "said": t.script,
                    "transcript": t.transcript,
                    "reply": t.reply,
                    "latencyMs": None if t.latency_ms is None else round(t.latency_ms, 1),
                    "replyAudioMs": len(t.reply_audio) // 8,
                    "cutOffByCaller": t.cut_off_by_caller,
                    "stagesMs": t.stages,
                }
                for t in self.turns
            ],
            "clearsReceived": self.clears_received,
            "staleFramesAfterClear": self.stale_frames_after_clear,
        }


HANGUP_GRACE_S = 5.0


class SimulatedCall:
    def __init__(self, options: CallOptions) -> None:
        self._options = options
        self.call_sid = "CA" + secrets.token_hex(16)
        self.stream_sid = "MZ" + secrets.token_hex(16)
        self.account_sid = "AC" + secrets.token_hex(16)
        self._mic: deque[tuple[bytes, bool]] = deque()
        self._playout = PlayoutModel()
        self._speech_ended = asyncio.Event()
        self._speech_end_time = 0.0
        self._first_audio_time: float | None = None
        self._collecting: bytearray | None = None
        self._completed_turns: list[int] = []
        self._reply_done = asyncio.Event()
        self._closed = asyncio.Event()
        self._hangup_announced = False
        self._first_audio = asyncio.Event()
        self._caller_talking = False
        self._cleared = False
        self._clears = 0
        self._stale_frames = 0

    async def run(self) -> CallReport:
        async with httpx.AsyncClient(timeout=10) as http:
            instructions = await request_stream(
                http,
                self._options.edge_url,
                self._options.auth_token,
                self._webhook_params("ringing"),
            )
            report = CallReport(
                session_id=instructions.parameters.get("sessionId", ""), call_sid=self.call_sid
            )
            async with connect(instructions.url, max_size=2**20) as ws:
                tasks = [
                    asyncio.create_task(self._send_microphone(ws)),
                    asyncio.create_task(self._receive(ws)),
                    asyncio.create_task(self._echo_marks(ws)),
                ]
                try:
                    await self._send(
                        ws, {"event": "connected", "protocol": "Call", "version": "1.0.0"}
                    )
                    await self._send(ws, self._start_message(instructions.parameters))
                    await self._converse(report)
                    if self._hangup_announced:
                        # The agent said goodbye; the edge ends the call once it has played.
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._closed.wait(), HANGUP_GRACE_S)
                    if self._closed.is_set():
                        report.ended_by = "agent"
                    else:
                        await self._send(
                            ws,
                            {
                                "event": "stop",
                                "sequenceNumber": "0",
                                "streamSid": self.stream_sid,
                                "stop": {"accountSid": self.account_sid, "callSid": self.call_sid},
                            },
                        )
                finally:
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
            report.heard = bytes(self._playout.heard)
            await post_signed(
                http,
                f"{self._options.edge_url.rstrip('/')}/twilio/status",
                self._options.auth_token,
                self._webhook_params("completed"),
            )
            report.session = await self._fetch_session(http, report.session_id, len(report.turns))
        self._fill_from_session(report)
        return report

    async def _converse(self, report: CallReport) -> None:
        greeting = bytearray()
        self._collecting = greeting
        await self._wait_reply(0, self._options.greeting_timeout_s, required=False)
        report.greeting_audio = bytes(greeting)
        turns = self._options.turns
        for number, turn in enumerate(turns, start=1):
            if self._closed.is_set():
                break
            if turn.barge_in_after_ms is None:
                await asyncio.sleep(self._options.pause_after_reply_s)
            if turn.before_speaking is not None:
                await turn.before_speaking(report.session_id)
            audio = bytearray()
            self._collecting = audio
            self._first_audio_time = None
            self._first_audio.clear()
            self._speech_ended.clear()
            self._caller_talking = True
            self._cleared = False
            for i, frame in enumerate(turn.frames):
                self._mic.append((frame, i == len(turn.frames) - 1))
            await self._speech_ended.wait()
            self._caller_talking = False
            interrupt = number < len(turns) and turns[number].barge_in_after_ms is not None
            if interrupt:
                await self._wait_first_audio(self._options.reply_timeout_s)
                await asyncio.sleep((turns[number].barge_in_after_ms or 0) / 1000)
            else:
                await self._wait_reply(number, self._options.reply_timeout_s, required=True)
            latency = None
            if self._first_audio_time is not None:
                latency = (self._first_audio_time - self._speech_end_time) * 1000
            report.turns.append(
                TurnReport(
                    script=turn.script,
                    latency_ms=latency,
                    reply_audio=bytes(audio),
                    cut_off_by_caller=interrupt,
                )
            )
        self._collecting = None
        report.clears_received = self._clears
        report.stale_frames_after_clear = self._stale_frames

    async def _wait_first_audio(self, timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self._first_audio.wait(), timeout_s)
        except TimeoutError as exc:
            raise TimeoutError(f"no agent audio within {timeout_s} s") from exc

    async def _wait_reply(self, turn_id: int, timeout_s: float, required: bool) -> None:
        """Until the reply numbered `turn_id` (or a later one) was heard to its end."""
        deadline = time.monotonic() + timeout_s
        while not self._closed.is_set() and max(self._completed_turns, default=-1) < turn_id:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if required:
                    raise TimeoutError(f"no complete agent reply within {timeout_s} s")
                return
            self._reply_done.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reply_done.wait(), min(remaining, 0.25))

    async def _send_microphone(self, ws: ClientConnection) -> None:
        """Twilio streams audio continuously, silence included, one frame every 20 ms."""
        silence = silence_frame()
        chunk, next_at = 1, time.monotonic()
        while True:
            frame, last = self._mic.popleft() if self._mic else (silence, False)
            await self._send(
                ws,
                {
                    "event": "media",
                    "sequenceNumber": str(chunk + 1),
                    "streamSid": self.stream_sid,
                    "media": {
                        "track": "inbound",
                        "chunk": str(chunk),
                        "timestamp": str((chunk - 1) * FRAME_MS),
                        "payload": base64.b64encode(frame).decode(),
                    },
                },
            )
            if last:
                self._speech_end_time = time.monotonic()
                self._speech_ended.set()
            chunk += 1
            next_at += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _receive(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                message = orjson.loads(raw)
                event = message.get("event")
                if event == "media":
                    audio = base64.b64decode(message["media"]["payload"])
                    now = time.monotonic()
                    if self._speech_ended.is_set() and self._first_audio_time is None:
                        self._first_audio_time = now
                        self._first_audio.set()
                    if self._cleared and self._caller_talking:
                        self._stale_frames += 1
                    if self._collecting is not None:
                        self._collecting.extend(audio)
                    self._playout.play(audio, now)
                elif event == "mark":
                    self._playout.mark(message["mark"]["name"])
                elif event == "clear":
                    self._clears += 1
                    self._cleared = True
                    for name in self._playout.clear():
                        await self._echo_mark(ws, name)
        except ConnectionClosed:
            pass
        finally:
            self._closed.set()

    async def _echo_marks(self, ws: ClientConnection) -> None:
        while True:
            for name in self._playout.due_marks():
                await self._echo_mark(ws, name)
            await asyncio.sleep(0.01)

    async def _echo_mark(self, ws: ClientConnection, name: str) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._send(
                ws,
                {
                    "event": "mark",
                    "sequenceNumber": "0",
                    "streamSid": self.stream_sid,
                    "mark": {"name": name},
                },
            )
        mark = SegmentMark.parse(name)
        if mark is not None and mark.last_segment and mark.turn_id not in self._completed_turns:
            self._completed_turns.append(mark.turn_id)
            self._hangup_announced = mark.hangup_after
            self._reply_done.set()

    @staticmethod
    async def _send(ws: ClientConnection, message: dict[str, Any]) -> None:
        await ws.send(orjson.dumps(message).decode())

    def _start_message(self, parameters: dict[str, str]) -> dict[str, Any]:
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

    def _webhook_params(self, status: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": status,
            "Direction": "inbound",
            "From": self._options.caller,
            "To": self._options.callee,
            "Caller": self._options.caller,
            "Called": self._options.callee,
        }

    async def _fetch_session(
        self, http: httpx.AsyncClient, session_id: str, turns: int
    ) -> dict[str, Any] | None:
        """The janitor's record of the call: what was heard and answered each turn."""
        deadline = time.monotonic() + 5
        session: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            try:
                response = await http.get(
                    f"{self._options.janitor_url.rstrip('/')}/v1/sessions/{session_id}"
                )
            except httpx.HTTPError:
                return None
            if response.status_code == 200:
                session = response.json()["session"]
                if len(session.get("turns", [])) >= turns and session.get("status") == "closed":
                    return session
            await asyncio.sleep(0.2)
        return session

    @staticmethod
    def _fill_from_session(report: CallReport) -> None:
        if not report.session:
            return
        for turn, recorded in zip(report.turns, report.session.get("turns", []), strict=False):
            turn.transcript = recorded.get("userUtterance")
            turn.reply = recorded.get("agentResponse")
            turn.recorded_as_interrupted = recorded.get("interrupted")
            turn.stages = recorded.get("latencyStages")


async def place_call(options: CallOptions) -> CallReport:
    return await SimulatedCall(options).run()
