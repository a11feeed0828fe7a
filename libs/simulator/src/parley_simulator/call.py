"""A phone call placed exactly as Twilio would: webhook, TwiML, then a Media Stream
carrying the caller's audio in real time while the agent's audio is played back.

Once the edge has answered the webhook the call always yields a report: if the edge
closes the stream or drops out of reach mid-call, the report says where the call was
cut and why, instead of the caller waiting for replies that cannot come."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from parley_audio.framing import FRAME_MS, silence_frame
from parley_contracts import SegmentMark
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from parley_simulator.playout import PlayoutModel
from parley_simulator.report import CallCut, CallReport, TurnReport
from parley_simulator.twilio_messages import CONNECTED, TwilioCall
from parley_simulator.webhook import StreamInstructions, post_signed, request_stream

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
    janitor_api_key: str | None = None
    """A key with the session API's read scope; without one the call's record is not read."""
    auth_token: str = "dev-auth-token"
    caller: str = "+15550001111"
    callee: str = "+15550002222"
    greeting_timeout_s: float = 20.0
    reply_timeout_s: float = 30.0
    pause_after_reply_s: float = 0.6


HANGUP_GRACE_S = 5.0


# Where a call can be; a turn's stages are prefixed with "turn N, ".
CONNECTING = "connecting the media stream"
GREETING = "the greeting"
BEFORE_SPEAKING = "before the caller spoke"
SPEAKING = "while the caller was speaking"
WAITING = "waiting for the reply"
REPLYING = "while the reply played"
ENDING = "the end of the call"


class SimulatedCall:
    def __init__(self, options: CallOptions) -> None:
        self._options = options
        self._twilio = TwilioCall(options.caller, options.callee)
        self._mic: deque[tuple[bytes, bool]] = deque()
        self._playout = PlayoutModel()
        self._speech_ended = asyncio.Event()
        self._speech_end_time = 0.0
        self._first_audio_time: float | None = None
        self._first_audio_wall: float | None = None
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
        self._answered_at = 0.0
        self._phase: tuple[int | None, str] = (None, CONNECTING)
        self._closed_at: tuple[str, float] | None = None
        """Where the call was and when, as the stream closed."""

    async def run(self) -> CallReport:
        async with httpx.AsyncClient(timeout=10) as http:
            instructions = await request_stream(
                http,
                self._options.edge_url,
                self._options.auth_token,
                self._twilio.webhook_params("ringing"),
            )
            self._answered_at = time.monotonic()
            report = CallReport(
                session_id=instructions.parameters.get("sessionId", ""),
                call_sid=self._twilio.call_sid,
            )
            try:
                await self._stream(instructions, report)
            except (OSError, TimeoutError) as exc:  # the socket never opened
                self._on_closed()
                report.cut = self._cut(f"the media stream could not be opened: {exc!r}")
            report.heard = bytes(self._playout.heard)
            if report.cut is not None:
                report.ended_by = "edge"
            report.status_callback_error = await self._post_completed(http)
            report.session = await self._fetch_session(http, report.session_id, len(report.turns))
        self._fill_from_session(report)
        return report

    async def _stream(self, instructions: StreamInstructions, report: CallReport) -> None:
        async with connect(instructions.url, max_size=2**20) as ws:
            tasks = [
                asyncio.create_task(self._send_microphone(ws)),
                asyncio.create_task(self._receive(ws)),
                asyncio.create_task(self._echo_marks(ws)),
            ]
            try:
                with contextlib.suppress(ConnectionClosed):  # _receive sees it too
                    await self._send(ws, CONNECTED)
                    await self._send(ws, self._twilio.start(instructions.parameters))
                    await self._converse(report)
                    if self._hangup_announced:
                        # The agent said goodbye; the edge ends the call once it has played.
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._closed.wait(), HANGUP_GRACE_S)
                if self._hangup_announced and self._closed.is_set():
                    report.ended_by = "agent"
                elif self._closed.is_set():
                    report.cut = self._cut(_close_description(ws))
                else:
                    with contextlib.suppress(ConnectionClosed):
                        await self._send(ws, self._twilio.stop())
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    def _on_closed(self) -> None:
        """The stream is gone: remember where the call was, once."""
        if self._closed_at is None:
            turn, stage = self._phase
            if stage == WAITING and self._first_audio.is_set():
                stage = REPLYING
            where = stage if turn is None else f"turn {turn}, {stage}"
            self._closed_at = (where, time.monotonic())
        self._closed.set()

    def _cut(self, reason: str) -> CallCut:
        where, at = self._closed_at or (ENDING, time.monotonic())
        return CallCut(where, reason, at - self._answered_at)

    async def _post_completed(self, http: httpx.AsyncClient) -> str | None:
        """Twilio's status callback; an edge out of reach leaves the reason, not a crash."""
        url = f"{self._options.edge_url.rstrip('/')}/twilio/status"
        params = self._twilio.webhook_params("completed")
        try:
            await post_signed(http, url, self._options.auth_token, params)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    async def _converse(self, report: CallReport) -> None:
        greeting = bytearray()
        self._collecting = greeting
        self._phase = (None, GREETING)
        await self._wait_reply(0, self._options.greeting_timeout_s, required=False)
        report.greeting_audio = bytes(greeting)
        turns = self._options.turns
        for number, turn in enumerate(turns, start=1):
            if self._closed.is_set():
                break
            self._phase = (number, BEFORE_SPEAKING)
            if turn.barge_in_after_ms is None:
                await asyncio.sleep(self._options.pause_after_reply_s)
            if turn.before_speaking is not None:
                await turn.before_speaking(report.session_id)
            self._phase = (number, SPEAKING)
            audio = bytearray()
            self._collecting = audio
            self._first_audio_time = None
            self._first_audio_wall = None
            self._first_audio.clear()
            self._speech_ended.clear()
            self._caller_talking = True
            self._cleared = False
            for i, frame in enumerate(turn.frames):
                self._mic.append((frame, i == len(turn.frames) - 1))
            await self._until_closed(self._speech_ended.wait())
            self._caller_talking = False
            self._phase = (number, WAITING)
            interrupt = number < len(turns) and turns[number].barge_in_after_ms is not None
            if not interrupt:
                # Returns as soon as the stream closes, like every wait of the call.
                await self._wait_reply(number, self._options.reply_timeout_s, required=True)
            elif not self._closed.is_set():
                await self._wait_first_audio(self._options.reply_timeout_s)
                await asyncio.sleep((turns[number].barge_in_after_ms or 0) / 1000)
            latency = None
            if self._first_audio_time is not None:
                latency = (self._first_audio_time - self._speech_end_time) * 1000
            report.turns.append(
                TurnReport(
                    script=turn.script,
                    latency_ms=latency,
                    reply_audio=bytes(audio),
                    reply_heard_at=self._first_audio_wall,
                    cut_off_by_caller=interrupt,
                )
            )
        self._phase = (None, ENDING)
        self._collecting = None
        report.clears_received = self._clears
        report.stale_frames_after_clear = self._stale_frames

    async def _until_closed(self, waiting: Coroutine[Any, Any, Any]) -> None:
        """Wait for ``waiting`` or the end of the stream, whichever comes first."""
        done, pending = await asyncio.wait(
            [asyncio.ensure_future(waiting), asyncio.ensure_future(self._closed.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()

    async def _wait_first_audio(self, timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self._until_closed(self._first_audio.wait()), timeout_s)
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
        """Twilio streams audio continuously, silence included, one frame every 20 ms,
        until the stream closes."""
        try:
            await self._stream_microphone(ws)
        except ConnectionClosed:
            self._on_closed()

    async def _stream_microphone(self, ws: ClientConnection) -> None:
        silence = silence_frame()
        chunk, next_at = 1, time.monotonic()
        while True:
            frame, last = self._mic.popleft() if self._mic else (silence, False)
            await self._send(ws, self._twilio.media(chunk, frame))
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
                        self._first_audio_wall = time.time()
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
            self._on_closed()

    async def _echo_marks(self, ws: ClientConnection) -> None:
        while True:
            for name in self._playout.due_marks():
                await self._echo_mark(ws, name)
            await asyncio.sleep(0.01)

    async def _echo_mark(self, ws: ClientConnection, name: str) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self._send(ws, self._twilio.mark(name))
        mark = SegmentMark.parse(name)
        if mark is not None and mark.last_segment and mark.turn_id not in self._completed_turns:
            self._completed_turns.append(mark.turn_id)
            self._hangup_announced = mark.hangup_after
            self._reply_done.set()

    @staticmethod
    async def _send(ws: ClientConnection, message: dict[str, Any]) -> None:
        await ws.send(orjson.dumps(message).decode())

    async def _fetch_session(
        self, http: httpx.AsyncClient, session_id: str, turns: int
    ) -> dict[str, Any] | None:
        """The janitor's record of the call: what was heard and answered each turn."""
        deadline = time.monotonic() + 5
        session: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            try:
                response = await http.get(
                    f"{self._options.janitor_url.rstrip('/')}/v1/sessions/{session_id}",
                    headers=self._janitor_headers(),
                )
            except httpx.HTTPError:
                return None
            if response.status_code in (401, 403):
                log.warning(
                    "the janitor refused to show the call's record (%s): give the simulator"
                    " a key with the read scope (PARLEY_API_KEY)",
                    response.status_code,
                    extra={"event": "simulator.session_refused"},
                )
                return None
            if response.status_code == 200:
                session = response.json()["session"]
                if len(session.get("turns", [])) >= turns and session.get("status") == "closed":
                    return session
            await asyncio.sleep(0.2)
        return session

    def _janitor_headers(self) -> dict[str, str]:
        key = self._options.janitor_api_key
        return {"Authorization": f"Bearer {key}"} if key else {}

    @staticmethod
    def _fill_from_session(report: CallReport) -> None:
        if not report.session:
            return
        for turn, recorded in zip(report.turns, report.session.get("turns", []), strict=False):
            turn.transcript = recorded.get("userUtterance")
            turn.reply = recorded.get("agentResponse")
            turn.recorded_as_interrupted = recorded.get("interrupted")
            turn.stages = recorded.get("latencyStages")


def _close_description(ws: ClientConnection) -> str:
    """How the stream ended, as the caller's side of the socket saw it."""
    code, reason = ws.close_code, ws.close_reason
    if code is None or code == CloseCode.ABNORMAL_CLOSURE:
        return "the connection to the edge was lost (no close frame)"
    return f"the edge closed the media stream (code {code}{': ' + reason if reason else ''})"


async def place_call(options: CallOptions) -> CallReport:
    return await SimulatedCall(options).run()
