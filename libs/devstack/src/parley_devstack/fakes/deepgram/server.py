"""A local Deepgram on 127.0.0.1: ``/v1/listen`` (live transcription WebSocket) and
``/v1/speak`` (Aura REST, streamed mu-law), speaking the real wire protocol so the
official SDK can be pointed at it (``DEEPGRAM_BASE_URL``)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from aiohttp import WSMsgType, web

from parley_devstack.fakes.deepgram.controls import DeepgramFakeControls, SpeakRecord
from parley_devstack.fakes.deepgram.listen_session import ListenOptions, ListenSession
from parley_devstack.fakes.deepgram.speak_audio import tone_speech_mulaw
from parley_devstack.fakes.serving import HttpFake

CHUNK_BYTES = 1600  # 200 ms of mu-law 8 kHz


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    request_id = str(uuid.uuid4())
    body = {"err_code": code, "err_msg": message, "request_id": request_id}
    return web.json_response(
        body,
        status=status,
        headers={"dg-request-id": request_id, "dg-error": message, **(headers or {})},
    )


_FAULTS = {429: "TOO_MANY_REQUESTS", 401: "INVALID_AUTH"}


class FakeDeepgram(HttpFake):
    def __init__(self, controls: DeepgramFakeControls | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.controls = controls or DeepgramFakeControls()

    @property
    def url(self) -> str:
        """What ``DEEPGRAM_BASE_URL`` should be set to."""
        return f"http://127.0.0.1:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/v1/listen", self._listen)
        app.router.add_post("/v1/speak", self._speak)

    def _refusal(self, request: web.Request, endpoint: str) -> web.Response | None:
        controls = self.controls
        faults = controls.listen if endpoint == "listen" else controls.speak
        faults.attempts += 1
        if request.headers.get("Authorization") != f"Token {controls.api_key}":
            return _error(401, "INVALID_AUTH", "Invalid credentials.")
        if (fault := faults.fault()) is not None:
            status, headers = fault
            return _error(status, _FAULTS.get(status, "UNAVAILABLE"), "fake fault", headers)
        return None

    async def _listen(self, request: web.Request) -> web.StreamResponse:
        if (refusal := self._refusal(request, "listen")) is not None:
            return refusal
        query = dict(request.query)
        if query.get("encoding") != "mulaw" or query.get("sample_rate") != "8000":
            return _error(400, "Bad Request", "the fake only hears encoding=mulaw&sample_rate=8000")
        controls = self.controls
        controls.listen_queries.append(query)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        controls.connected_at.append(time.monotonic())
        session = ListenSession(
            ListenOptions.from_query(query), controls.script, segment_ms=controls.segment_ms
        )
        last_heard = [time.monotonic()]
        watchdog = asyncio.create_task(self._idle_watchdog(ws, last_heard))
        drop_after_ms = controls.take_drop()
        try:
            async for message in ws:
                last_heard[0] = time.monotonic()
                if message.type == WSMsgType.BINARY:
                    for reply in session.feed(message.data):
                        await ws.send_str(json.dumps(reply))
                    if drop_after_ms is not None and session.audio_ms >= drop_after_ms:
                        controls.note_drop()
                        if request.transport is not None:
                            request.transport.abort()  # no close frame: a network drop
                        break
                elif message.type == WSMsgType.TEXT and not await self._control(
                    ws, session, message.data
                ):
                    break
        finally:
            watchdog.cancel()
        return ws

    async def _control(self, ws: web.WebSocketResponse, session: ListenSession, text: str) -> bool:
        """Handle a JSON control message; False once the stream is closed."""
        try:
            kind = json.loads(text).get("type")
        except (ValueError, AttributeError):
            kind = None
        controls = self.controls
        if kind == "KeepAlive":
            controls.keepalives += 1
        elif kind == "Finalize":
            controls.finalizes += 1
            for reply in session.finalize():
                await ws.send_str(json.dumps(reply))
        elif kind == "CloseStream":
            controls.close_streams += 1
            for reply in [*session.finalize(), session.metadata()]:
                await ws.send_str(json.dumps(reply))
            await ws.close(code=1000)
            return False
        else:
            error = {
                "type": "Error",
                "variant": "SchemaError",
                "description": "Could not deserialize last text message",
                "message": text[:200],
            }
            await ws.send_str(json.dumps(error))
        return True

    async def _idle_watchdog(self, ws: web.WebSocketResponse, last_heard: list[float]) -> None:
        timeout = self.controls.idle_timeout_s
        while not ws.closed:
            idle = time.monotonic() - last_heard[0]
            if idle >= timeout:
                self.controls.idle_closes += 1
                await ws.close(code=1011, message=b"NET-0001")
                return
            await asyncio.sleep(min(0.1, timeout - idle))

    async def _speak(self, request: web.Request) -> web.StreamResponse:
        if (refusal := self._refusal(request, "speak")) is not None:
            return refusal
        query = dict(request.query)
        try:
            text = str((await request.json())["text"])
            speed = float(query.get("speed", "1.0"))
        except (ValueError, KeyError, TypeError):
            return _error(400, "Bad Request", 'body must be {"text": ...}; speed a number')
        if (query.get("encoding"), query.get("sample_rate"), query.get("container")) != (
            "mulaw",
            "8000",
            "none",
        ):
            return _error(400, "Bad Request", "the fake only produces headerless mu-law 8 kHz")
        if not query.get("model", "").startswith("aura") or not 0.7 <= speed <= 1.5:
            return _error(400, "Bad Request", "unknown model or speed outside 0.7-1.5")
        audio = tone_speech_mulaw(text, speed)
        record = SpeakRecord(len(text), query, len(audio))
        self.controls.speak_records.append(record)
        return await self._stream_audio(request, audio, record)

    async def _stream_audio(
        self, request: web.Request, audio: bytes, record: SpeakRecord
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "audio/mulaw", "dg-request-id": str(uuid.uuid4())}
        )
        try:
            await response.prepare(request)
            await asyncio.sleep(self.controls.first_byte_ms / 1000)
            for offset in range(0, len(audio), CHUNK_BYTES):
                chunk = audio[offset : offset + CHUNK_BYTES]
                await response.write(chunk)
                record.bytes_sent += len(chunk)
                await asyncio.sleep(self.controls.chunk_interval_s)
            await response.write_eof()
            record.completed = True
        except (ConnectionError, asyncio.CancelledError):
            record.cancelled = True
        finally:
            record.ended_at = time.monotonic()
        return response
