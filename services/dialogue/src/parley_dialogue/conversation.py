"""The conversation as the agent sees it and as the session records it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from parley_agent_client import AgentReply, AgentToolCall, AgentTurn
from parley_contracts import TurnCompleted
from parley_sessions import (
    HistoryWindow,
    Session,
    SessionError,
    SessionStore,
    TokenUsage,
    ToolCall,
    Turn,
    history_window,
)

from parley_dialogue.speaker import SpokenReply

log = logging.getLogger(__name__)


def agent_context(turns: Sequence[Turn], window: HistoryWindow) -> list[AgentTurn]:
    """The recent turns (within the window) as alternating caller/agent lines."""
    context: list[AgentTurn] = []
    for turn in history_window(turns, window):
        context.append(AgentTurn(role="caller", text=turn.user_utterance))
        calls = None
        if window.include_tool_calls and turn.tool_calls:
            calls = [AgentToolCall(name=c.name, arguments=c.arguments) for c in turn.tool_calls]
        context.append(
            AgentTurn(
                role="agent",
                text=turn.agent_response,
                tool_calls=calls,
                interrupted=turn.interrupted,
            )
        )
    return context


class ConversationRecorder:
    def __init__(self, store: SessionStore, window: HistoryWindow) -> None:
        self._store = store
        self.window = window

    async def record(
        self,
        session_id: str,
        turn_id: int,
        caller_said: str,
        spoken: SpokenReply,
        reply: AgentReply,
        latency_ms: float | None,
        interrupted: bool,
    ) -> None:
        turn = Turn(
            turn_id=turn_id,
            user_utterance=caller_said,
            agent_response=spoken.text,
            latency_ms=latency_ms,
            tool_calls=[ToolCall.reported(c.name, c.arguments, c.result) for c in reply.tool_calls]
            or None,
            interrupted=interrupted or None,
            warnings=spoken.warnings or None,
            usage=TokenUsage.model_validate(reply.usage.model_dump()) if reply.usage else None,
        )
        try:
            await self._store.append_turn(session_id, turn)
        except SessionError as exc:
            self._not_recorded(session_id, exc)

    async def mark_interrupted(self, session_id: str, turn_id: int) -> None:
        await self._update_turn(session_id, turn_id, {"interrupted": True})

    async def record_latency(self, completed: TurnCompleted) -> None:
        """The turn's latency becomes end of caller speech -> first audio at the caller."""
        await self._update_turn(
            completed.session_id,
            completed.turn_id,
            {"latency_ms": completed.total_ms, "latency_stages": completed.stages},
        )

    async def _update_turn(self, session_id: str, turn_id: int, changes: dict[str, Any]) -> None:
        def change(session: Session) -> Session:
            turns = [
                t.model_copy(update=changes) if t.turn_id == turn_id else t for t in session.turns
            ]
            return session.model_copy(update={"turns": turns})

        try:
            await self._store.update(session_id, change)
        except SessionError as exc:
            self._not_recorded(session_id, exc)

    @staticmethod
    def _not_recorded(session_id: str, exc: SessionError) -> None:
        log.warning(
            "could not record the turn",
            extra={"event": "dialogue.turn_not_recorded", "session": session_id, "error": str(exc)},
        )
