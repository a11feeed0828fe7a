"""A local OpenAI on 127.0.0.1: ``POST /v1/chat/completions`` (streamed as server-sent
``chat.completion.chunk`` events, or one ``chat.completion``), speaking the real wire
protocol so the official SDK can be pointed at it (``base_url=<fake.url>``). Control
endpoints under ``/_fake/`` set the script and queue faults from outside the process."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from typing import Any

from aiohttp import web

from parley_devstack.fakes.openai.chunks import (
    ChunkBuilder,
    ToolCall,
    Usage,
    error_body,
    sse,
    tokens,
)
from parley_devstack.fakes.openai.controls import Fault, OpenAIFakeControls
from parley_devstack.fakes.openai.script import Script, ScriptedReply, ScriptError, message_text
from parley_devstack.fakes.serving import HttpFake


class FakeOpenAI(HttpFake):
    shutdown_timeout_s = 0.1  # stalled answers are cut at once on stop, not waited for

    def __init__(self, controls: OpenAIFakeControls | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.controls = controls or OpenAIFakeControls()
        self._call_ids = itertools.count(1)

    @property
    def url(self) -> str:
        """The SDK's ``base_url`` (paths are appended to it)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._completions)
        app.router.add_post("/_fake/script", self._set_script)
        app.router.add_post("/_fake/faults", self._queue_fault)
        app.router.add_get("/_fake/requests", self._requests)

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        controls = self.controls
        controls.attempts += 1
        if request.headers.get("Authorization") != f"Bearer {controls.api_key}":
            return _error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        try:
            body = await request.json()
            messages = list(body["messages"])
            model = str(body["model"])
        except (ValueError, KeyError, TypeError):
            return _error(
                400, "the body must hold model and messages", "invalid_request_error", None
            )
        controls.requests.append(body)
        fault = controls.take_fault()
        if (refusal := _refusal(fault)) is not None:
            return refusal
        scripted = controls.script.reply_for(messages)
        calls = [
            ToolCall(c.name, json.dumps(c.arguments), f"call_{next(self._call_ids)}")
            for c in scripted.tool_calls
        ]
        builder = ChunkBuilder(f"chatcmpl-{uuid.uuid4().hex[:12]}", model, int(time.time()))
        usage = _usage(messages, scripted, calls)
        if not body.get("stream"):
            await asyncio.sleep(controls.first_token_ms / 1000 + _stall(fault))
            return web.json_response(builder.completion(scripted.text, calls, usage))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        answer = _Answer(builder, scripted.text or "", calls, usage if include_usage else None)
        return await self._stream(request, answer, fault)

    async def _stream(
        self, request: web.Request, answer: _Answer, fault: Fault | None
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "x-request-id": str(uuid.uuid4())}
        )
        controls = self.controls
        pause = 1 / controls.tokens_per_s if controls.tokens_per_s > 0 else 0.0
        try:
            await response.prepare(request)
            await asyncio.sleep(controls.first_token_ms / 1000)
            await response.write(_event(answer.builder.role()))
            pieces = tokens(answer.text)
            # A fault due after more tokens than the text has strikes before the closing chunks.
            strike = min(fault.after_tokens, len(pieces)) if fault is not None else -1
            for number in range(len(pieces) + 1):
                if number == strike and fault is not None and await _misbehave(response, fault):
                    return response
                if number < len(pieces):
                    await response.write(_event(answer.builder.content(pieces[number])))
                    await asyncio.sleep(pause)
            for chunk in answer.closing_chunks():
                await response.write(_event(chunk))
            await response.write(sse("[DONE]"))
            controls.streams_finished.append((time.time(), answer.text))
            await response.write_eof()
        except (ConnectionError, asyncio.CancelledError):
            controls.streams_cut += 1
        return response

    async def _set_script(self, request: web.Request) -> web.Response:
        try:
            self.controls.script = Script.from_json(await request.json())
        except (ValueError, ScriptError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"rules": len(self.controls.script.rules)})

    async def _queue_fault(self, request: web.Request) -> web.Response:
        try:
            self.controls.queue(Fault.from_json(await request.json()))
        except (ValueError, TypeError) as exc:
            return web.json_response({"error": f"not a fault: {exc}"}, status=400)
        return web.json_response({"queued": len(self.controls.faults)})

    async def _requests(self, _: web.Request) -> web.Response:
        return web.json_response(self.controls.requests)


class _Answer:
    """One scripted answer to stream."""

    def __init__(
        self, builder: ChunkBuilder, text: str, calls: list[ToolCall], usage: Usage | None
    ) -> None:
        self.builder, self.text, self.calls, self.usage = builder, text, calls, usage

    def closing_chunks(self) -> list[dict[str, Any]]:
        chunks = self.builder.tool_call_chunks(self.calls)
        chunks.append(self.builder.finish("tool_calls" if self.calls else "stop"))
        if self.usage is not None:
            chunks.append(self.builder.usage(self.usage))
        return chunks


def _event(chunk: dict[str, Any]) -> bytes:
    return sse(json.dumps(chunk, separators=(",", ":")))


async def _misbehave(response: web.StreamResponse, fault: Fault) -> bool:
    """Act out a mid-stream fault; True when the stream ends here."""
    if fault.kind == "stall":
        await asyncio.sleep(fault.stall_s)
        return False
    if fault.kind == "malformed":
        await response.write(sse('{"id": "chatcmpl-broken", "choices": [{"delta": '))
    elif fault.kind == "error_event":
        body = error_body(
            "The server had an error while processing your request.", "server_error", None
        )
        await response.write(sse(json.dumps(body)))
    else:
        return False
    await response.write_eof()
    return True


def _stall(fault: Fault | None) -> float:
    return fault.stall_s if fault is not None and fault.kind == "stall" else 0.0


def _refusal(fault: Fault | None) -> web.Response | None:
    if fault is None:
        return None
    if fault.kind == "rate_limit":
        return _error(
            429,
            "Rate limit reached for requests.",
            "requests",
            "rate_limit_exceeded",
            {"retry-after": f"{fault.retry_after_s:g}"},
        )
    if fault.kind == "server_error":
        return _error(fault.status, "The server had an error.", "server_error", None)
    if fault.kind == "unauthorized":
        return _error(
            401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
        )
    return None


def _error(
    status: int, message: str, kind: str, code: str | None, headers: dict[str, str] | None = None
) -> web.Response:
    headers = {"x-request-id": str(uuid.uuid4()), **(headers or {})}
    return web.json_response(error_body(message, kind, code), status=status, headers=headers)


def _usage(messages: list[dict[str, Any]], reply: ScriptedReply, calls: list[ToolCall]) -> Usage:
    """Token counts the way a model would report them: deterministic, roughly real."""
    prompt = sum(len(tokens(message_text(m))) + 3 for m in messages)
    completion = len(tokens(reply.text or "")) + sum(len(tokens(c.arguments)) + 2 for c in calls)
    return Usage(prompt, max(completion, 1))
