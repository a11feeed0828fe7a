"""The dialogue worker: transcripts in, reply sentences out, the agent in between."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from faststream.kafka import KafkaMessage
from parley_agent_client import AgentClient, AgentError
from parley_bus import BusPublisher, build_broker, decode_or_skip, group_subscriber, kafka_readiness
from parley_contracts import CALL_EVENTS, TRANSCRIPTS, call_event_decoder, transcript_event_decoder
from parley_runtime import Readiness, build_service_app
from parley_sessions import RedisSessionStore

from parley_dialogue.settings import DialogueSettings
from parley_dialogue.worker import DialogueWorker

log = logging.getLogger(__name__)


def create_app(settings: DialogueSettings | None = None) -> FastAPI:
    settings = settings or DialogueSettings()
    broker = build_broker(settings.kafka_bootstrap_servers, client_id="parley-dialogue")
    headers = {"Authorization": f"Bearer {settings.agent_token}"} if settings.agent_token else None
    agent = AgentClient(
        settings.agent_url,
        tool_name=settings.agent_tool,
        timeout_s=settings.agent_timeout_s,
        headers=headers,
    )
    store = RedisSessionStore(settings.redis_url)
    worker = DialogueWorker(
        agent, store, BusPublisher(broker), settings.fallback_reply, settings.session_wait_s
    )
    subscriber = group_subscriber(broker, settings.consumer_group, TRANSCRIPTS, CALL_EVENTS)

    @subscriber
    async def on_message(body: bytes, message: KafkaMessage) -> None:
        if getattr(message.raw_message, "topic", "") == TRANSCRIPTS.name:
            await worker.on_transcript(decode_or_skip(transcript_event_decoder, message))
        else:
            await worker.on_call_event(decode_or_skip(call_event_decoder, message))

    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))
    readiness.add("redis", store.ping)

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
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
            await agent.close()
            await store.close_store()

    return build_service_app("dialogue", readiness, lifespan)
