"""The tools every LLM agent has, whatever its tool servers: ``end_call`` and
``transfer_call``. They act on the call, so they become the reply's ``actions`` (carried
out by Parley after the reply has been heard) instead of running anything here, which
also makes them safe on a speculative turn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openai.types.chat import ChatCompletionFunctionToolParam

from parley_agent.contract import Action

END_CALL = "end_call"
TRANSFER_CALL = "transfer_call"
NAMES = (END_CALL, TRANSFER_CALL)
GOODBYE = "Thank you for calling. Goodbye."
PLEASE_HOLD = "Please hold while I transfer you."
_DESTINATION = re.compile(r"^(\+?[0-9]{3,15}|sips?:[^\s@]+@[^\s]+)$")


@dataclass(frozen=True)
class ControlResult:
    action: Action | None
    content: str
    """What the model is told."""
    closing_line: str
    """Said if the model gives no reply of its own after asking for this."""


def specs(transfer_numbers: Sequence[str]) -> list[ChatCompletionFunctionToolParam]:
    destination: dict[str, Any] = {
        "type": "string",
        "description": "The phone number (E.164, e.g. +15550100000) or SIP address.",
    }
    if transfer_numbers:
        destination["enum"] = list(transfer_numbers)
    return [
        {
            "type": "function",
            "function": {
                "name": END_CALL,
                "description": "Hang up once your reply has been heard. Say goodbye in the "
                "reply; use it only when the caller is done.",
                "parameters": {"type": "object", "properties": {}},
            },
        },
        {
            "type": "function",
            "function": {
                "name": TRANSFER_CALL,
                "description": "Transfer the caller to a person once your reply has been "
                "heard. Tell the caller you are transferring them.",
                "parameters": {
                    "type": "object",
                    "properties": {"to": destination},
                    "required": ["to"],
                },
            },
        },
    ]


def run(name: str, arguments: dict[str, Any], transfer_numbers: Sequence[str]) -> ControlResult:
    if name == END_CALL:
        return ControlResult(
            Action(type="hangup"),
            "The call will end after your reply. Say a short goodbye if you have not yet.",
            GOODBYE,
        )
    to = str(arguments.get("to", "")).strip()
    allowed = to in transfer_numbers if transfer_numbers else bool(_DESTINATION.match(to))
    if not allowed:
        choices = f"one of {', '.join(transfer_numbers)}" if transfer_numbers else "a number"
        return ControlResult(None, f"error: cannot transfer to {to!r}; give {choices}", "")
    return ControlResult(
        Action(type="transfer", to=to),
        "The caller will be transferred after your reply. Tell them so if you have not yet.",
        PLEASE_HOLD,
    )
