"""Decides what Parley says: final utterances in, reply sentences out."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from parley_agent_client import (
    AgentClient,
    AgentError,
    AgentReply,
    AgentRequest,
    AgentTurn,
    split_sentences,
)
from parley_bus import BusPublisher
from parley_contracts import (
    REPLIES,
    CallEnded,
    CallEvent,
    CallStarted,
    ReplySentence,
    SessionClosed,
    Transcript,
    TranscriptEvent,
)
from parley_sessions import Session, SessionError, SessionStore, Turn

from parley_dialogue import metrics

log = logging.getLogger(__name__)
GREETING_TURN = 0


class DialogueWorker:
    def __init__(
        self,
        agent: AgentClient,
        store: SessionStore,
        publisher: BusPublisher,
        fallback_reply: str,
        session_wait_s: float,
    ) -> None:
        self._agent = agent
        self._store = store
        self._publisher = publisher
        self._fallback = fallback_reply
        self._session_wait_s = session_wait_s

    async def on_call_event(self, event: CallEvent | None) -> None:
        if isinstance(event, CallStarted):
            await self._greet(event)
        elif isinstance(event, CallEnded | SessionClosed):
            log.debug(
                "call over", extra={"event": "dialogue.call_over", "session": event.session_id}
            )

    async def on_transcript(self, event: TranscriptEvent | None) -> None:
        if not isinstance(event, Transcript) or not event.is_final or not event.text.strip():
            return
        session = await self._session(event.session_id)
        if session is None:
            metrics.TURNS.labels(outcome="no_session").inc()
            log.warning(
                "final transcript for an unknown or closed session; not answering",
                extra={"event": "dialogue.no_session", "session": event.session_id},
            )
            return
        turn_id = len(session.turns) + 1
        context = [
            item
            for turn in session.turns
            for item in (
                AgentTurn(role="caller", text=turn.user_utterance),
                AgentTurn(role="agent", text=turn.agent_response),
            )
        ]
        request = AgentRequest(
            session_id=event.session_id, event="utterance", utterance=event.text, context=context
        )
        reply = await self._ask(request)
        await self._speak(event.session_id, event.edge_slot, turn_id, reply, event.speech_ended_at)
        latency_ms = None
        if event.speech_ended_at is not None:
            latency_ms = (datetime.now(UTC) - event.speech_ended_at).total_seconds() * 1000
            metrics.REPLY_READY.observe(latency_ms)
        turn = Turn(
            turn_id=turn_id,
            user_utterance=event.text,
            agent_response=reply.reply,
            latency_ms=latency_ms,
        )
        try:
            await self._store.append_turn(event.session_id, turn)
        except SessionError as exc:
            log.warning(
                "could not record turn",
                extra={
                    "event": "dialogue.turn_not_recorded",
                    "session": event.session_id,
                    "error": str(exc),
                },
            )
        metrics.TURNS.labels(outcome="answered").inc()

    async def _greet(self, event: CallStarted) -> None:
        request = AgentRequest(
            session_id=event.session_id, event="call_started", utterance="", context=[]
        )
        reply = await self._ask(request)
        await self._speak(event.session_id, event.edge_slot, GREETING_TURN, reply, None)

    async def _ask(self, request: AgentRequest) -> AgentReply:
        started = time.perf_counter()
        try:
            reply = await self._agent.respond(request)
        except AgentError as exc:
            metrics.TURNS.labels(outcome="agent_failed").inc()
            log.warning(
                "agent unavailable; speaking the fallback",
                extra={
                    "event": "dialogue.agent_failed",
                    "session": request.session_id,
                    "error": str(exc),
                },
            )
            return AgentReply(reply=self._fallback, actions=[])
        metrics.MCP_LATENCY.observe((time.perf_counter() - started) * 1000)
        return reply

    async def _speak(
        self,
        session_id: str,
        edge_slot: int,
        turn_id: int,
        reply: AgentReply,
        speech_ended_at: datetime | None,
    ) -> None:
        sentences = split_sentences(reply.reply) or [self._fallback]
        for index, text in enumerate(sentences):
            last = index == len(sentences) - 1
            await self._publisher.event(
                REPLIES,
                ReplySentence(
                    session_id=session_id,
                    edge_slot=edge_slot,
                    turn_id=turn_id,
                    index=index,
                    text=text,
                    is_last=last,
                    hangup_after=last and reply.wants_hangup,
                    speech_ended_at=speech_ended_at,
                ),
            )

    async def _session(self, session_id: str) -> Session | None:
        """The janitor creates the record when the call starts; allow it a moment."""
        deadline = time.monotonic() + self._session_wait_s
        while True:
            session = await self._store.get(session_id)
            if session is not None and session.status == "active":
                return session
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.05)
