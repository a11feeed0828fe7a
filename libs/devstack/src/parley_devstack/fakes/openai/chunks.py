"""The JSON objects of the Chat Completions API, built the way OpenAI sends them: streamed
``chat.completion.chunk`` objects (text and tool-call deltas, the closing usage chunk) and
the one ``chat.completion`` of a non-streaming answer. Pure functions, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"\s*\S{1,4}|\s+$")
ARGUMENT_PIECE_CHARS = 8


def tokens(text: str) -> list[str]:
    """``text`` cut into token-sized pieces (a space and up to four characters) that
    concatenate back into exactly ``text``, so long words arrive in several deltas."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class ToolCall:
    """A call the scripted model makes: the function name and its JSON arguments."""

    name: str
    arguments: str
    id: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int

    def body(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


@dataclass(frozen=True)
class ChunkBuilder:
    """Chunks of one completion: every chunk carries the same id, created time and model."""

    completion_id: str
    model: str
    created: int

    def _chunk(self, choices: list[dict[str, Any]], usage: Usage | None = None) -> dict[str, Any]:
        return {
            "id": self.completion_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_parley_fake",
            "choices": choices,
            "usage": usage.body() if usage else None,
        }

    def _delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return self._chunk([choice])

    def role(self) -> dict[str, Any]:
        """The first chunk: the assistant role and empty content."""
        return self._delta({"role": "assistant", "content": "", "refusal": None})

    def content(self, piece: str) -> dict[str, Any]:
        return self._delta({"content": piece})

    def tool_call_start(self, index: int, call: ToolCall) -> dict[str, Any]:
        """A call's first fragment: index, id, type and name, no arguments yet."""
        fragment = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        return self._delta({"tool_calls": [fragment]})

    def tool_call_arguments(self, index: int, piece: str) -> dict[str, Any]:
        return self._delta({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})

    def finish(self, reason: str) -> dict[str, Any]:
        return self._delta({}, reason)

    def usage(self, usage: Usage) -> dict[str, Any]:
        """The extra chunk sent before ``[DONE]`` when ``stream_options.include_usage``."""
        return self._chunk([], usage)

    def tool_call_chunks(self, calls: list[ToolCall]) -> list[dict[str, Any]]:
        """Every fragment of ``calls``: each call's start, then its arguments in pieces."""
        chunks: list[dict[str, Any]] = []
        for index, call in enumerate(calls):
            chunks.append(self.tool_call_start(index, call))
            for start in range(0, len(call.arguments), ARGUMENT_PIECE_CHARS):
                piece = call.arguments[start : start + ARGUMENT_PIECE_CHARS]
                chunks.append(self.tool_call_arguments(index, piece))
        return chunks

    def completion(self, text: str | None, calls: list[ToolCall], usage: Usage) -> dict[str, Any]:
        """The whole answer at once (``stream`` false or absent)."""
        message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
        if calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in calls
            ]
        choice = {
            "index": 0,
            "message": message,
            "finish_reason": "tool_calls" if calls else "stop",
            "logprobs": None,
        }
        return {
            "id": self.completion_id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_parley_fake",
            "choices": [choice],
            "usage": usage.body(),
        }


def error_body(message: str, kind: str, code: str | None) -> dict[str, Any]:
    """OpenAI's error shape: all four fields present."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def sse(data: str) -> bytes:
    """One server-sent event carrying ``data``."""
    return f"data: {data}\n\n".encode()
