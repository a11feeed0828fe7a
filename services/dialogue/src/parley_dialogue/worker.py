"""Decides what Parley says and when: utterances and key presses in, reply sentences out,
with barge-in, a latency budget per turn and a spoken fallback when the agent fails."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from opentelemetry import trace
from parley_agent_client import AgentClient, AgentReply, AgentRequest
from parley_bus import BusPublisher
from parley_contracts import (
    CALL_EVENTS,
    CONTROL,
    REPLIES,
    CallEnded,
    CallEvent,
    CallStarted,
    ClearPlayback,
    DtmfPressed,
    PlaybackMarked,
    PlaybackStarted,
    ReplyCancelled,
    SessionClosed,
    SpeechStarted,
    Transcript,
    TranscriptEvent,
)
from parley_sessions import Session, SessionError, SessionStore
from parley_telemetry import tracer

from parley_dialogue import metrics
from parley_dialogue.barge_in import BargeInRule
from parley_dialogue.call_state import CallState, CallStates
from parley_dialogue.conversation import ConversationRecorder, agent_context
from parley_dialogue.latency import LatencyBudget, TurnTimer
from parley_dialogue.preemptive import Preemption
from parley_dialogue.reply_feed import FeedEnd, ReplyFeed
from parley_dialogue.reply_turn import ReplyTurn
from parley_dialogue.speaker import (
    ReplySpeaker,
    ReplyTarget,
    SpeechChoice,
    SpokenReply,
)

log = logging.getLogger(__name__)
GREETING_TURN = 0


class DialogueWorker:
    def __init__(
        self,
        agent: AgentClient,
        store: SessionStore,
        publisher: BusPublisher,
        speaker: ReplySpeaker,
        recorder: ConversationRecorder,
        barge_in: BargeInRule,
        budget: LatencyBudget,
        session_wait_s: float,
        max_event_age_s: float = 10.0,
        *,
        preemption: Preemption | None = None,
    ) -> None:
        self._agent = agent
        self._store = store
        self._publisher = publisher
        self._speaker = speaker
        self._recorder = recorder
        self._barge_in = barge_in
        self._budget = budget
        self._session_wait_s = session_wait_s
        self._max_event_age_s = max_event_age_s
        self._preemption = preemption or Preemption(agent, enabled=False, stable_interims=2)
        self._calls = CallStates()

    async def close(self) -> None:
        """On shutdown: stop the replies still being spoken, and cancel those started
        early that no final transcript used."""
        for state in self._calls.all():
            await state.stop_reply()
            await self._preemption.discard(state.take_speculation(), "shutting down")

    # --- call lifecycle and playback progress ------------------------------------------

    async def on_call_event(self, event: CallEvent | None) -> None:
        if isinstance(event, CallStarted):
            await self._greet(event)
        elif isinstance(event, PlaybackMarked):
            self._on_marked(event)
        elif isinstance(event, PlaybackStarted):
            await self._on_playback_started(event)
        elif isinstance(event, DtmfPressed):
            await self._on_dtmf(event)
        elif isinstance(event, CallEnded | SessionClosed):
            state = self._calls.close(event.session_id)
            if state is not None:
                await state.stop_reply()
                await self._preemption.discard(state.take_speculation(), "the call ended")
            metrics.ACTIVE_CALLS.set(len(self._calls))

    def _on_marked(self, event: PlaybackMarked) -> None:
        state = self._calls.get(event.session_id)
        if state is not None and event.last_segment and state.speaking_turn == event.turn_id:
            state.speaking_turn = None  # heard to the end

    async def _on_playback_started(self, event: PlaybackStarted) -> None:
        state = self._calls.get(event.session_id)
        timer = state.timers.pop(event.turn_id, None) if state else None
        if state is None or timer is None:
            return
        completed = timer.complete(event.session_id, event, self._budget)
        metrics.observe_turn(completed)
        await self._publisher.event(CALL_EVENTS, completed)
        if completed.turn_id == GREETING_TURN:
            return
        reply = state.reply
        if reply is None or reply.turn_id != completed.turn_id or not reply.hold_latency(completed):
            await self._recorder.record_latency(completed)

    # --- what the caller says -------------------------------------------------------------

    async def on_transcript(self, event: TranscriptEvent | None) -> None:
        if isinstance(event, SpeechStarted):
            await self._caller_speaks_again(event.session_id)
            return
        if not isinstance(event, Transcript):
            return
        text = event.text.strip()
        if not text:
            return
        if event.is_final and self._is_stale(event):
            return
        state = await self._state(event.session_id, event.edge_slot)
        if state is None:
            if event.is_final:
                metrics.TURNS.labels(outcome="no_session").inc()
                log.warning(
                    "final transcript for an unknown or closed session; not answering",
                    extra={"event": "dialogue.no_session", "session": event.session_id},
                )
            return
        if state.speaking_turn is not None:
            if self._barge_in.interrupts(event):
                await self._interrupt(event.session_id, state)
            elif event.is_final:
                metrics.TURNS.labels(outcome="talked_over").inc()
                log.info(
                    "caller spoke over the reply without interrupting",
                    extra={"event": "dialogue.backchannel", "session": event.session_id},
                )
                return
        if not event.is_final:
            if state.speaking_turn is None and _age_s(event) <= self._max_event_age_s:
                await self._heard_interim(state, event)
            return
        state.interims.reset()
        started_early = await self._preemption.confirmed(
            state.take_speculation(), text, state.next_turn_id
        )
        await self._answer(
            event.session_id,
            state,
            AgentRequest(session_id=event.session_id, event="utterance", utterance=text),
            caller_said=text,
            speech_ended_at=event.speech_ended_at,
            started_early=started_early,
        )

    async def _heard_interim(self, state: CallState, event: Transcript) -> None:
        """The caller is speaking and nothing is being said to them: maybe a pause in
        which to start the reply (see preemptive.py)."""

        async def start(words: str, turn_id: int) -> ReplyFeed:
            request = AgentRequest(
                session_id=event.session_id,
                event="utterance",
                utterance=words,
                turn_id=turn_id,
                speculative=True,
            )
            return await self._ask(state, request)

        state.speculation = await self._preemption.heard_interim(
            state.interims, state.speculation, event, state.next_turn_id, start
        )

    async def _caller_speaks_again(self, session_id: str) -> None:
        state = self._calls.get(session_id)
        if state is not None:
            state.interims.reset()
            await self._preemption.discard(state.take_speculation(), "the caller spoke again")

    def _is_stale(self, event: Transcript) -> bool:
        """After a worker takes over a partition it may see events already handled
        (offsets are committed periodically); answering them again would repeat a turn."""
        age_s = _age_s(event)
        if age_s <= self._max_event_age_s:
            return False
        metrics.TURNS.labels(outcome="stale").inc()
        log.warning(
            "skipping a final transcript older than the stale limit",
            extra={"event": "dialogue.stale", "session": event.session_id, "age_s": age_s},
        )
        return True

    async def _on_dtmf(self, event: DtmfPressed) -> None:
        state = await self._state(event.session_id, event.edge_slot)
        if state is None:
            return
        if state.speaking_turn is not None:
            await self._interrupt(event.session_id, state)
        await self._preemption.discard(state.take_speculation(), "a key was pressed")
        request = AgentRequest(session_id=event.session_id, event="dtmf", dtmf=event.digit)
        await self._answer(event.session_id, state, request, caller_said=f"[pressed {event.digit}]")

    async def _interrupt(self, session_id: str, state: CallState) -> None:
        """Barge-in: stop the reply if it is still streaming (nothing more of it is
        published), silence the caller's line, stop synthesis, record the reply as cut."""
        turn_id = state.speaking_turn
        if turn_id is None:
            return
        state.speaking_turn = None
        state.interrupted_turns.add(turn_id)
        state.timers.pop(turn_id, None)
        await state.stop_reply()
        metrics.BARGE_INS.inc()
        await self._publisher.event(
            CONTROL, ClearPlayback(session_id=session_id, turn_id=turn_id + 1), state.edge_slot
        )
        await self._publisher.event(
            REPLIES,
            ReplyCancelled(session_id=session_id, edge_slot=state.edge_slot, turn_id=turn_id),
        )
        await self._recorder.mark_interrupted(session_id, turn_id)
        log.info(
            "caller interrupted the reply",
            extra={"event": "dialogue.barge_in", "session": session_id, "turn": turn_id},
        )

    # --- answering ------------------------------------------------------------------------

    async def _greet(self, event: CallStarted) -> None:
        state = self._calls.open(event.session_id, event.edge_slot)
        state.speech = SpeechChoice(tts_provider=event.tts_provider)
        metrics.ACTIVE_CALLS.set(len(self._calls))
        request = AgentRequest(
            session_id=event.session_id, event="call_started", turn_id=GREETING_TURN
        )
        timer = TurnTimer(GREETING_TURN, speech_ended_ms=None)
        reply = state.reply = ReplyTurn(GREETING_TURN, self._feed(request))
        state.speaking_turn = GREETING_TURN
        target = ReplyTarget(event.session_id, event.edge_slot, GREETING_TURN, None, state.speech)

        async def greet() -> None:
            await self._speak(reply, target, timer)

        reply.start(greet)

    async def _answer(
        self,
        session_id: str,
        state: CallState,
        request: AgentRequest,
        caller_said: str,
        speech_ended_at: datetime | None = None,
        started_early: ReplyFeed | None = None,
    ) -> None:
        """Start answering the caller's turn, once the previous reply is over; with
        `started_early`, the speculative reply the final words confirmed (its held
        sentences are spoken at once). The reply is spoken in a task of its own, so the
        call's lane goes on to the caller's next event (see reply_turn.py)."""
        await state.reply_over()
        turn_id = state.new_turn()
        ended_ms = speech_ended_at.timestamp() * 1000 if speech_ended_at else None
        timer = TurnTimer(turn_id, speech_ended_ms=ended_ms)
        state.timers[turn_id] = timer
        # The turn's span is the parent of the agent call (the feed's task) and of the
        # sentences published (the reply's task), both started from here.
        turn_span = tracer().start_span(
            "dialogue.turn",
            attributes={"parley.session_id": session_id, "parley.event": request.event},
        )
        with trace.use_span(turn_span, end_on_exit=False):
            feed = started_early or await self._ask(
                state, request.model_copy(update={"turn_id": turn_id})
            )
        reply = state.reply = ReplyTurn(turn_id, feed)
        state.speaking_turn = turn_id
        target = ReplyTarget(session_id, state.edge_slot, turn_id, speech_ended_at, state.speech)

        async def answer() -> None:
            with trace.use_span(turn_span, end_on_exit=True):
                spoken, end = await self._speak(reply, target, timer)
                await self._record(state, reply, caller_said, spoken, end, speech_ended_at)

        reply.start(answer)

    async def _record(
        self,
        state: CallState,
        reply: ReplyTurn,
        caller_said: str,
        spoken: SpokenReply,
        end: FeedEnd | None,
        speech_ended_at: datetime | None,
    ) -> None:
        """Record the turn as the caller heard it: all of it, or what was published
        before it was stopped."""
        latency_ms = None
        if speech_ended_at is not None:
            latency_ms = (datetime.now(UTC) - speech_ended_at).total_seconds() * 1000
            metrics.REPLY_READY.observe(latency_ms)
        await self._recorder.record(
            reply.feed.session_id,
            reply.turn_id,
            caller_said,
            spoken,
            end.reply if end else AgentReply(reply=spoken.text),
            latency_ms,
            interrupted=reply.turn_id in state.interrupted_turns,
        )
        reply.recorded = True
        if reply.latency is not None:
            await self._recorder.record_latency(reply.latency)
        metrics.TURNS.labels(outcome="answered" if end else "stopped").inc()

    async def _ask(self, state: CallState, request: AgentRequest) -> ReplyFeed:
        """Start the agent on the request, with the conversation so far as its context."""
        session = await self._store.get(request.session_id)
        if session is not None:
            state.speech = speech_choice(session)
        context = agent_context(session.turns if session else [], self._recorder.window)
        return self._feed(request.model_copy(update={"context": context}))

    def _feed(self, request: AgentRequest, already_said: str = "") -> ReplyFeed:
        return ReplyFeed(
            self._agent,
            request,
            self._speaker.cleaner,
            self._speaker.fallback_reply(),
            already_said,
        )

    async def _speak(
        self, reply: ReplyTurn, target: ReplyTarget, timer: TurnTimer
    ) -> tuple[SpokenReply, FeedEnd | None]:
        """Speak the reply as it comes, then its last sentences; a reply stopped before
        it ended (no FeedEnd) keeps what was published of it."""
        voice = self._speaker.voice(target)
        end = await reply.speak(
            voice, timer, self._speaker.filler, self._budget.agent_ms / 1000, self._feed
        )
        if end is None:
            return SpokenReply(" ".join(voice.spoken)), None
        metrics.MCP_LATENCY.observe(end.took_ms)
        await voice.end(end.sentences, end.reply.wants_hangup)
        return SpokenReply(" ".join(voice.spoken), end.warnings), end

    async def _state(self, session_id: str, edge_slot: int) -> CallState | None:
        state = self._calls.get(session_id)
        if state is not None:
            return state
        # This worker did not see the call start (a rebalance moved it here).
        session = await self._session(session_id)
        if session is None:
            return None
        return self._calls.open(session_id, edge_slot, next_turn_id=next_turn_after(session))

    async def _session(self, session_id: str) -> Session | None:
        """The janitor creates the record when the call starts; allow it a moment."""
        deadline = asyncio.get_running_loop().time() + self._session_wait_s
        while True:
            try:
                session = await self._store.get(session_id)
            except SessionError as exc:
                log.warning(
                    "session store unavailable",
                    extra={"event": "dialogue.store_error", "error": str(exc)},
                )
                session = None
            if session is not None and session.status == "active":
                return session
            if asyncio.get_running_loop().time() >= deadline:
                return None
            await asyncio.sleep(0.05)


def _age_s(event: Transcript) -> float:
    return (datetime.now(UTC) - event.at).total_seconds()


def speech_choice(session: Session) -> SpeechChoice:
    """The session's provider, and its voice if set (``metadata.ttsVoice``)."""
    voice = session.metadata.get("ttsVoice")
    return SpeechChoice(session.tts_provider, voice if isinstance(voice, str) else None)


def next_turn_after(session: Session) -> int:
    return max((t.turn_id for t in session.turns), default=0) + 1
