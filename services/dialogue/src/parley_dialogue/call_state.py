"""What the dialogue worker remembers about each live call it owns.

Kafka gives one worker all of a call's transcripts and lifecycle events (same key,
co-partitioned topics), so this state needs no sharing. After a rebalance a call's
new owner rebuilds what matters (the next turn id) from the session record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parley_dialogue.latency import TurnTimer
from parley_dialogue.preemptive import InterimWatch, Speculation
from parley_dialogue.reply_turn import ReplyTurn
from parley_dialogue.speaker import DEFAULT_SPEECH, SpeechChoice


@dataclass
class CallState:
    edge_slot: int
    next_turn_id: int = 1
    # The reply turn the caller is hearing now (sent, last mark not yet back).
    speaking_turn: int | None = None
    interrupted_turns: set[int] = field(default_factory=set)
    timers: dict[int, TurnTimer] = field(default_factory=dict)
    speech: SpeechChoice = DEFAULT_SPEECH
    # The caller's interim words, and a reply started on them before the final transcript.
    interims: InterimWatch = field(default_factory=InterimWatch)
    speculation: Speculation | None = None
    # The latest turn's reply, spoken in a task of its own (see reply_turn.py).
    reply: ReplyTurn | None = None

    async def stop_reply(self) -> None:
        """Stop the reply still being spoken, if any; nothing more of it is published."""
        if self.reply is not None:
            await self.reply.stop()

    async def reply_over(self) -> None:
        """Wait until the latest reply has ended (a new turn starts only after it)."""
        if self.reply is not None:
            await self.reply.finished()

    def take_speculation(self) -> Speculation | None:
        speculation, self.speculation = self.speculation, None
        return speculation

    def new_turn(self) -> int:
        turn_id = self.next_turn_id
        self.next_turn_id += 1
        return turn_id


class CallStates:
    def __init__(self) -> None:
        self._calls: dict[str, CallState] = {}

    def get(self, session_id: str) -> CallState | None:
        return self._calls.get(session_id)

    def open(self, session_id: str, edge_slot: int, next_turn_id: int = 1) -> CallState:
        state = self._calls.get(session_id)
        if state is None:
            state = self._calls[session_id] = CallState(edge_slot, next_turn_id)
        return state

    def close(self, session_id: str) -> CallState | None:
        return self._calls.pop(session_id, None)

    def all(self) -> list[CallState]:
        return list(self._calls.values())

    def __len__(self) -> int:
        return len(self._calls)
