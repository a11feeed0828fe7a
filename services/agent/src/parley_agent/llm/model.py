"""One streamed Chat Completions call through the official ``openai`` SDK, to any
OpenAI-compatible endpoint: text pieces are handed on as they arrive, tool-call fragments
assembled, usage read from the closing chunk. The SDK's own retries are off: a 429 is
retried once here (after Retry-After, bounded), everything else fails at once with a
``ModelError`` saying why, since a caller is waiting on the line."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field

import openai
from openai import AsyncOpenAI, AsyncStream, omit
from openai.types.chat import (
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionToolUnionParam,
)

from parley_agent.contract import Usage
from parley_agent.llm.errors import ModelAuthError, ModelError, ModelRateLimitedError
from parley_agent.llm.metrics import COMPLETIONS, FAILURES, FIRST_TOKEN_MS, SKIPPED_CHUNKS, TOKENS
from parley_agent.llm.settings import LlmSettings

log = logging.getLogger(__name__)

TextSink = Callable[[str], Awaitable[None]]
"""Receives each piece of the model's text as it arrives."""
NO_KEY = "unused"
"""Sent when no key is configured: local endpoints accept anything, real ones answer 401."""


@dataclass(frozen=True)
class Prompt:
    """One model call: the chat so far and the tools on offer; ``must_answer`` forbids
    asking for another tool (``tool_choice: none``)."""

    messages: Sequence[ChatCompletionMessageParam]
    tools: Sequence[ChatCompletionToolUnionParam] = ()
    must_answer: bool = False


@dataclass
class RequestedCall:
    """A function call the model asked for, assembled from its streamed fragments."""

    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class ModelAnswer:
    text: str = ""
    calls: list[RequestedCall] = field(default_factory=list)
    usage: Usage | None = None


@dataclass
class Assembly:
    """What the chunks of one call have said so far."""

    pieces: list[str] = field(default_factory=list)
    calls: dict[int, RequestedCall] = field(default_factory=dict)
    usage: Usage | None = None
    started_at: float = field(default_factory=time.perf_counter)
    first_at: float | None = None

    def answer(self) -> ModelAnswer:
        calls = [self.calls[index] for index in sorted(self.calls)]
        for number, call in enumerate(calls):
            call.id = call.id or f"call_{number}"  # the tool result must name its call
        return ModelAnswer("".join(self.pieces), calls, self.usage)


class ChatModel:
    def __init__(self, settings: LlmSettings) -> None:
        self._settings = settings
        self._client: AsyncOpenAI | None = None

    @property
    def client(self) -> AsyncOpenAI:
        """Made on first use and again after ``close``, so the server may restart."""
        if self._client is None:
            self._client = AsyncOpenAI(
                base_url=self._settings.base_url,
                api_key=self._settings.api_key.get_secret_value() or NO_KEY,
                timeout=self._settings.timeout_s,
                max_retries=0,
            )
        return self._client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    async def answer(self, prompt: Prompt, on_text: TextSink) -> ModelAnswer:
        """Stream one answer to ``prompt``, handing each piece of text to ``on_text``."""
        try:
            return await self._counted(prompt, on_text)
        except ModelRateLimitedError as limited:
            wait_s = min(limited.retry_after_s, self._settings.retry_after_max_s)
            log.warning(
                "model rate limited; retrying once",
                extra={"event": "llm.rate_limited", "retry_in_s": round(wait_s, 2)},
            )
            await asyncio.sleep(wait_s)
            return await self._counted(prompt, on_text)

    async def _counted(self, prompt: Prompt, on_text: TextSink) -> ModelAnswer:
        try:
            answer = await self._stream(prompt, on_text)
        except ModelError as exc:
            COMPLETIONS.labels(outcome="failed").inc()
            FAILURES.labels(kind=exc.kind).inc()
            raise
        COMPLETIONS.labels(outcome="ok").inc()
        if answer.usage is not None:
            TOKENS.labels(kind="prompt").inc(answer.usage.prompt_tokens)
            TOKENS.labels(kind="completion").inc(answer.usage.completion_tokens)
        return answer

    async def _stream(self, prompt: Prompt, on_text: TextSink) -> ModelAnswer:
        settings = self._settings
        assembly = Assembly()
        try:
            async with asyncio.timeout(settings.timeout_s):
                stream = await self._open(prompt)
                try:
                    await _consume(stream, settings.stream_idle_s, assembly, on_text)
                finally:
                    await stream.close()
        except ModelError:
            raise
        except TimeoutError as exc:
            raise ModelError(
                "timeout",
                f"the model did not finish within {settings.timeout_s:g} s (PARLEY_LLM_TIMEOUT_S)",
            ) from exc
        except openai.APIError as exc:
            raise _classify(exc) from exc
        except json.JSONDecodeError as exc:  # the SDK could not parse a chunk
            raise ModelError("malformed", f"the model's stream broke off: {exc}") from exc
        return assembly.answer()

    async def _open(self, prompt: Prompt) -> AsyncStream[ChatCompletionChunk]:
        settings = self._settings
        tools = prompt.tools
        try:
            async with asyncio.timeout(settings.stream_idle_s):
                return await self.client.chat.completions.create(
                    model=settings.model,
                    messages=prompt.messages,
                    tools=tools or omit,
                    tool_choice=("none" if prompt.must_answer else "auto") if tools else omit,
                    temperature=settings.temperature,
                    max_tokens=settings.max_tokens,
                    stream=True,
                    stream_options={"include_usage": True},
                )
        except TimeoutError as exc:
            raise _stalled(settings.stream_idle_s) from exc


async def _consume(
    stream: AsyncStream[ChatCompletionChunk], idle_s: float, assembly: Assembly, on_text: TextSink
) -> None:
    async with aclosing(_paced(stream, idle_s)) as chunks:
        async for chunk in chunks:
            if piece := read_chunk(chunk, assembly):
                await on_text(piece)
            if assembly.first_at is None and (assembly.pieces or assembly.calls):
                assembly.first_at = time.perf_counter()
                FIRST_TOKEN_MS.observe((assembly.first_at - assembly.started_at) * 1000)


async def _paced(
    stream: AsyncStream[ChatCompletionChunk], idle_s: float
) -> AsyncGenerator[ChatCompletionChunk, None]:
    """The stream's chunks, failing as stalled when one is more than ``idle_s`` late."""
    chunks = stream.__aiter__()
    while True:
        try:
            async with asyncio.timeout(idle_s):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except TimeoutError as exc:
            raise _stalled(idle_s) from exc
        yield chunk


def read_chunk(chunk: ChatCompletionChunk, assembly: Assembly) -> str:
    """Add one chunk to the assembly; return its text. The SDK builds chunks without
    validating them, so a chunk of the wrong shape surfaces here as a missing or mistyped
    attribute: it is skipped."""
    text = ""
    try:
        usage = chunk.usage
        if usage is not None:
            assembly.usage = Usage(
                prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens
            )
        for choice in chunk.choices or ():
            delta = choice.delta
            for fragment in delta.tool_calls or ():
                call = assembly.calls.setdefault(fragment.index, RequestedCall())
                call.id = call.id or (fragment.id or "")
                if fragment.function is not None:
                    call.name += fragment.function.name or ""
                    call.arguments += fragment.function.arguments or ""
            if isinstance(delta.content, str):
                text += delta.content
    except (AttributeError, TypeError, ValueError):
        SKIPPED_CHUNKS.inc()
        log.warning("skipped a model chunk it could not read", extra={"event": "llm.chunk_skipped"})
        return ""
    if text:
        assembly.pieces.append(text)
    return text


def _stalled(idle_s: float) -> ModelError:
    return ModelError(
        "stall",
        f"the model's stream went quiet for {idle_s:g} s (PARLEY_LLM_STREAM_IDLE_S)",
    )


def _classify(exc: openai.APIError) -> ModelError:
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelAuthError(exc.status_code)
    if isinstance(exc, openai.RateLimitError):
        return ModelRateLimitedError(_retry_after_s(exc))
    if isinstance(exc, openai.APITimeoutError):
        return ModelError("timeout", "the model endpoint did not answer in time")
    if isinstance(exc, openai.APIConnectionError):
        return ModelError("connection", f"cannot reach the model endpoint: {exc}")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code >= 500:
            return ModelError("server_error", f"the model endpoint failed (HTTP {exc.status_code})")
        return ModelError(
            "rejected",
            f"the model endpoint rejected the request (HTTP {exc.status_code}: {exc.message}); "
            "check PARLEY_LLM_MODEL and PARLEY_LLM_BASE_URL",
        )
    return ModelError("stream_error", f"the model reported an error mid-stream: {exc.message}")


def _retry_after_s(exc: openai.RateLimitError) -> float:
    """The wait the endpoint asked for (``retry-after-ms`` or ``retry-after`` seconds)."""
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(headers[name]) * scale)
        except (KeyError, ValueError):
            continue
    return 1.0
