"""One caller turn with the model: stream its reply, run the tools it asks for and feed
their results back, for at most ``max_tool_rounds`` rounds (the round after the last must
answer without tools).

On a speculative turn no tool server is called: the turn stops where the model asks for
one and returns what it has said so far, marked ``incomplete`` so that Parley asks again
for real once the caller's words confirm the turn. The built-in ``end_call`` and ``transfer_call``
only become actions, so they are answered as on any turn. When the model fails, the caller
hears the configured fallback line after whatever was already streamed."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolUnionParam

from parley_agent.contract import Action, StreamedReply, ToolCall, Usage
from parley_agent.llm import call_control
from parley_agent.llm.conversation import TurnRequest, chat_for
from parley_agent.llm.errors import ModelAuthError, ModelError
from parley_agent.llm.metrics import MODEL_TOOL_CALLS
from parley_agent.llm.model import ChatModel, ModelAnswer, Prompt, RequestedCall
from parley_agent.llm.settings import LlmSettings
from parley_agent.llm.tools import Outcome, RemoteTool, ToolCatalogue, ToolResult

log = logging.getLogger(__name__)

DeltaSink = Callable[[str], Awaitable[None]]
"""Receives each piece of the reply, exactly as it continues the text before it."""


@dataclass
class _Draft:
    """The reply as it grows: streamed text, actions, tool calls, usage."""

    sink: DeltaSink
    text: str = ""
    actions: list[Action] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage | None = None
    closing_line: str = ""
    incomplete: bool = False
    """Stopped on a speculative turn where the model asked for a tool."""
    rounds: int = 0
    """Model calls made."""
    _round_started: bool = False

    def next_round(self) -> None:
        self._round_started = True

    async def say(self, piece: str) -> None:
        if self._round_started and self.text and not self.text[-1].isspace():
            piece = piece if piece[:1].isspace() else f" {piece}"
        self._round_started = False
        self.text += piece
        await self.sink(piece)

    def count(self, usage: Usage | None) -> None:
        if usage is None:
            return
        if self.usage is None:
            self.usage = usage
            return
        self.usage = Usage(
            prompt_tokens=self.usage.prompt_tokens + usage.prompt_tokens,
            completion_tokens=self.usage.completion_tokens + usage.completion_tokens,
        )

    def reply(self) -> StreamedReply:
        return StreamedReply(
            reply=self.text,
            actions=self.actions,
            tool_calls=self.tool_calls,
            usage=self.usage,
            incomplete=self.incomplete,
        )


class LlmBrain:
    def __init__(self, settings: LlmSettings, model: ChatModel, catalogue: ToolCatalogue) -> None:
        self._settings = settings
        self._model = model
        self._catalogue = catalogue
        self._prompt = settings.system_prompt()

    async def respond(self, request: TurnRequest, sink: DeltaSink) -> StreamedReply:
        started = time.perf_counter()
        draft = _Draft(sink)
        outcome = "ok"
        try:
            await self._converse(request, draft)
        except ModelError as exc:
            outcome = exc.kind
            _log_failure(exc, request)
            await self._fall_back(draft)
        if not draft.text and draft.closing_line:
            await draft.say(draft.closing_line)
        log.info(
            "turn answered",
            extra={
                "event": "llm.turn",
                "session_id": request.session_id,
                "turn_id": request.turn_id,
                "speculative": request.speculative,
                "outcome": outcome,
                "rounds": draft.rounds,
                "tool_calls": len(draft.tool_calls),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return draft.reply()

    async def _converse(self, request: TurnRequest, draft: _Draft) -> None:
        messages = chat_for(self._prompt, request)
        remote = {tool.function_name: tool for tool in self._catalogue.tools()}
        specs: list[ChatCompletionToolUnionParam] = [
            *call_control.specs(self._settings.transfer_numbers),
            *(tool.spec() for tool in remote.values()),
        ]
        last = self._settings.max_tool_rounds
        for number in range(last + 1):
            draft.next_round()
            draft.rounds += 1
            final = number == last
            answer = await self._model.answer(Prompt(messages, specs, final), draft.say)
            draft.count(answer.usage)
            if not answer.calls or final:
                return
            if request.speculative and any(c.name in remote for c in answer.calls):
                _skip(answer.calls, remote)
                draft.incomplete = True
                return
            messages.append(_assistant_message(answer))
            results = await asyncio.gather(*(self._run(c, remote, draft) for c in answer.calls))
            messages.extend(
                {"role": "tool", "tool_call_id": call.id, "content": content}
                for call, content in zip(answer.calls, results, strict=True)
            )
            if answer.text and all(c.name in call_control.NAMES for c in answer.calls):
                return  # said and done: nothing left for the model to tell

    async def _run(self, call: RequestedCall, remote: dict[str, RemoteTool], draft: _Draft) -> str:
        """Run one call; record it; return what the model is told."""
        arguments, problem = _arguments(call.arguments)
        tool = remote.get(call.name)
        if problem:
            result = ToolResult("error", f"error: {problem}", problem)
        elif call.name in call_control.NAMES:
            control = call_control.run(call.name, arguments, self._settings.transfer_numbers)
            if control.action is not None:
                draft.actions.append(control.action)
                draft.closing_line = draft.closing_line or control.closing_line
            outcome: Outcome = "ok" if control.action is not None else "error"
            result = ToolResult(outcome, control.content, control.content)
        elif tool is not None:
            result = await self._catalogue.call(tool, arguments)
        else:
            message = f"there is no tool named {call.name!r}"
            result = ToolResult("error", f"error: {message}", message)
        label = call.name if tool is not None or call.name in call_control.NAMES else "unknown"
        MODEL_TOOL_CALLS.labels(tool=label, outcome=result.outcome).inc()
        name = tool.qualified_name if tool is not None else call.name
        draft.tool_calls.append(ToolCall(name=name, arguments=arguments, result=result.recorded))
        return result.content

    async def _fall_back(self, draft: _Draft) -> None:
        draft.next_round()
        await draft.say(self._settings.fallback_reply)


def _arguments(raw: str) -> tuple[dict[str, Any], str]:
    """The call's arguments, or why they cannot be used."""
    try:
        arguments = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}, "the arguments are not valid JSON"
    if not isinstance(arguments, dict):
        return {}, "the arguments must be a JSON object"
    return arguments, ""


def _assistant_message(answer: ModelAnswer) -> ChatCompletionMessageParam:
    return {
        "role": "assistant",
        "content": answer.text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in answer.calls
        ],
    }


def _skip(calls: list[RequestedCall], remote: dict[str, RemoteTool]) -> None:
    for call in calls:
        if call.name in remote:
            MODEL_TOOL_CALLS.labels(tool=call.name, outcome="skipped").inc()


def _log_failure(exc: ModelError, request: TurnRequest) -> None:
    extra = {
        "event": "llm.failed",
        "kind": exc.kind,
        "error": str(exc),
        "session_id": request.session_id,
        "turn_id": request.turn_id,
    }
    if isinstance(exc, ModelAuthError):
        log.error(
            "the model endpoint refused the credentials; answering with the fallback", extra=extra
        )
    else:
        log.warning("the model gave no answer; answering with the fallback", extra=extra)
