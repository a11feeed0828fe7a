"""The slice of a conversation sent to the agent: the newest turns that fit both the
turn limit and the token limit, oldest dropped first.

Tokens are estimated offline (no tokenizer download at run time): a word costs one
token per four characters, at least one; punctuation costs one. For English this
tracks BPE tokenizers closely enough to keep a prompt within a model's budget.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from parley_sessions.model import Turn

_PIECES = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class HistoryWindow:
    max_turns: int = 20
    max_tokens: int = 4000
    include_tool_calls: bool = False


def estimate_tokens(text: str) -> int:
    return sum(
        max(1, math.ceil(len(piece) / 4)) if piece[0].isalnum() or piece[0] == "_" else 1
        for piece in _PIECES.findall(text)
    )


def turn_tokens(turn: Turn, include_tool_calls: bool) -> int:
    tokens = estimate_tokens(turn.user_utterance) + estimate_tokens(turn.agent_response)
    if include_tool_calls and turn.tool_calls:
        for call in turn.tool_calls:
            tokens += estimate_tokens(call.name) + estimate_tokens(str(call.arguments))
    return tokens


def history_window(turns: Sequence[Turn], window: HistoryWindow) -> list[Turn]:
    """The newest turns within both limits, in conversation order."""
    kept: list[Turn] = []
    budget = window.max_tokens
    for turn in reversed(turns[-window.max_turns :] if window.max_turns else []):
        cost = turn_tokens(turn, window.include_tool_calls)
        if cost > budget:
            break
        budget -= cost
        kept.append(turn)
    kept.reverse()
    return kept
