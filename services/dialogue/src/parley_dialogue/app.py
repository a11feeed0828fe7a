"""The dialogue worker: transcripts in, reply sentences out, the agent in between."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from faststream.kafka import KafkaMessage
from parley_agent_client import AgentClient, AgentError
from parley_bus import (
    BusPublisher,
    build_broker,
    decode_or_skip,
    group_subscriber,
    kafka_readiness,
    running_broker,
)
from parley_contracts import CALL_EVENTS, TRANSCRIPTS, call_event_decoder, transcript_event_decoder
from parley_resilience import CircuitBreaker
from parley_runtime import Readiness, build_service_app
from parley_sessions import FallbackSessionStore, HistoryWindow, SessionStore
from parley_telemetry import traced_job

from parley_dialogue.barge_in import BargeInRule
from parley_dialogue.conversation import ConversationRecorder
from parley_dialogue.lanes import SessionLanes
from parley_dialogue.latency import LatencyBudget
from parley_dialogue.preemptive import Preemption
from parley_dialogue.settings import DialogueSettings
from parley_dialogue.speaker import ReplySpeaker
from parley_dialogue.speech_text import SpeechTextCleaner, SpeechTextPolicy
from parley_dialogue.worker import DialogueWorker

log = logging.getLogger(__name__)


def agent_headers(settings: DialogueSettings) -> dict[str, str]:
    headers: dict[str, str] = {}
    if settings.agent_token:
        headers["Authorization"] = f"Bearer {settings.agent_token}"
    if settings.agent_api_key:
        headers[settings.agent_api_key_header] = settings.agent_api_key
    return headers


def build_worker(
    settings: DialogueSettings, agent: AgentClient, store: SessionStore, publisher: BusPublisher
) -> DialogueWorker:
    cleaner = SpeechTextCleaner(
        SpeechTextPolicy(
            urls=settings.speech_urls,
            emails=settings.speech_emails,
            phone_numbers=settings.speech_phone_numbers,
            max_chars=settings.speech_max_chars,
        )
    )
    window = HistoryWindow(
        settings.history_max_turns,
        settings.history_max_tokens,
        settings.history_include_tool_calls,
    )
    return DialogueWorker(
        agent,
        store,
        publisher,
        ReplySpeaker(publisher, cleaner, settings.fallback_reply, settings.filler_phrase),
        ConversationRecorder(store, window),
        BargeInRule.build(
            settings.barge_in_min_confidence,
            settings.barge_in_min_words,
            settings.barge_in_min_speech_ms,
            settings.backchannels,
        ),
        LatencyBudget(
            settings.budget_total_ms,
            settings.budget_hard_cap_ms,
            settings.budget_stt_ms,
            settings.budget_agent_ms,
            settings.budget_tts_ms,
        ),
        settings.session_wait_s,
        settings.max_event_age_s,
        preemption=Preemption(agent, settings.preemptive, settings.preemptive_stable_interims),
    )


def create_app(settings: DialogueSettings | None = None) -> FastAPI:
    settings = settings or DialogueSettings()
    broker = build_broker(settings.kafka_connection(), client_id="parley-dialogue")
    agent = AgentClient(
        settings.agent_url,
        tool_name=settings.agent_tool,
        timeout_s=settings.agent_deadline_s(),
        headers=agent_headers(settings),
        circuit=CircuitBreaker(
            "the agent", settings.agent_circuit_failures, settings.agent_circuit_reset_s
        ),
        stream_idle_s=settings.agent_stream_idle_s,
        streaming=settings.agent_streaming,
    )
    # Through a store outage the call goes on from memory; turns are written back after.
    store = FallbackSessionStore(settings.open_session_store())
    worker = build_worker(settings, agent, store, BusPublisher(broker))
    subscriber = group_subscriber(broker, settings.consumer_group, TRANSCRIPTS, CALL_EVENTS)

    lanes = SessionLanes()

    @subscriber
    async def on_message(body: bytes, message: KafkaMessage) -> None:
        if getattr(message.raw_message, "topic", "") == TRANSCRIPTS.name:
            transcript = decode_or_skip(transcript_event_decoder, message)
            if transcript is not None:
                job = traced_job(message.headers, lambda: worker.on_transcript(transcript))
                lanes.submit(transcript.session_id, job)
        else:
            call_event = decode_or_skip(call_event_decoder, message)
            if call_event is not None:
                job = traced_job(message.headers, lambda: worker.on_call_event(call_event))
                lanes.submit(call_event.session_id, job)

    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))
    readiness.add(settings.session_store, store.ping)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            await agent.start()
        except AgentError as exc:
            # Calls still get the spoken fallback; the client reconnects on the next turn.
            log.warning(
                "agent not reachable at start-up",
                extra={"event": "dialogue.agent_down", "error": str(exc)},
            )
        try:
            await store.check_access()
            async with running_broker(broker, [subscriber]):
                yield
        finally:
            await lanes.drain_all()
            await worker.close()
            await agent.close()
            await store.close_store()

    return build_service_app("dialogue", readiness, lifespan)
