"""A turn's request as a chat for the model: the system prompt, the conversation so far
(caller → user, agent → assistant), then what just happened. Events that are not words
(the call connecting, a key pressed) reach the model as bracketed notes from the phone
system, which the system prompt explains. Pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from openai.types.chat import ChatCompletionMessageParam

from parley_agent.contract import Turn

CALL_STARTED = "[The call has just connected. Greet the caller and offer your help.]"
NOTHING_HEARD = "[The caller said something that could not be made out.]"
INTERRUPTED = " [The caller interrupted you here and did not hear the rest.]"


def key_pressed(key: str) -> str:
    return f"[The caller pressed the key {key} on their phone's keypad.]"


@dataclass(frozen=True)
class TurnRequest:
    """What Parley asked for this turn (the respond tool's arguments)."""

    session_id: str
    event: str
    utterance: str = ""
    dtmf: str | None = None
    context: list[Turn] = field(default_factory=list)
    turn_id: int | None = None
    speculative: bool = False


def chat_for(system_prompt: str, request: TurnRequest) -> list[ChatCompletionMessageParam]:
    messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": system_prompt}]
    for turn in request.context:
        if turn.role == "caller":
            messages.append({"role": "user", "content": turn.text})
        else:
            text = turn.text + (INTERRUPTED if turn.interrupted else "")
            messages.append({"role": "assistant", "content": text})
    messages.append({"role": "user", "content": latest(request)})
    return messages


def latest(request: TurnRequest) -> str:
    """What the caller just did, as the chat's last user message."""
    if request.event == "call_started":
        return CALL_STARTED
    if request.event == "dtmf":
        return key_pressed(request.dtmf or "?")
    return request.utterance.strip() or NOTHING_HEARD
