"""The janitor: owns session lifecycle and serves the session API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from parley_bus import (
    BusPublisher,
    build_broker,
    event_decoder,
    group_subscriber,
    kafka_readiness,
    running_broker,
)
from parley_contracts import CALL_EVENTS, CallEvent, call_event_decoder
from parley_runtime import Readiness, build_service_app
from parley_sessions import RedisSessionStore

from parley_janitor.api import sessions_router
from parley_janitor.lifecycle import SessionLifecycle
from parley_janitor.settings import JanitorSettings


def create_app(settings: JanitorSettings | None = None) -> FastAPI:
    settings = settings or JanitorSettings()
    broker = build_broker(settings.kafka_bootstrap_servers, client_id="parley-janitor")
    store = RedisSessionStore(settings.redis_url)
    lifecycle = SessionLifecycle(store, BusPublisher(broker), settings)
    subscriber = group_subscriber(broker, settings.consumer_group, CALL_EVENTS)

    @subscriber(decoder=event_decoder(call_event_decoder))
    async def on_call_event(event: CallEvent | None) -> None:
        await lifecycle.on_call_event(event)

    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))
    readiness.add("redis", store.ping)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            async with running_broker(broker, [subscriber]):
                sweeper = asyncio.create_task(lifecycle.run_sweeper(), name="session-expiry")
                try:
                    yield
                finally:
                    sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sweeper
        finally:
            await store.close_store()

    app = build_service_app("janitor", readiness, lifespan)
    app.include_router(sessions_router(store))
    return app
