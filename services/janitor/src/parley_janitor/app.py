"""The janitor: owns session lifecycle and serves the session API (HTTP and MCP)."""

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
from parley_sessions import check_rate_limit_access, connect_redis
from starlette.routing import BaseRoute, Route

from parley_janitor.api import install_error_handlers, sessions_router
from parley_janitor.auth import Authenticator
from parley_janitor.callers import ClientAddress, KeyIdentity
from parley_janitor.lifecycle import SessionLifecycle
from parley_janitor.mcp_auth import McpKeyAuth
from parley_janitor.mcp_tools import build_mcp_server
from parley_janitor.rate_limit import RateLimiter
from parley_janitor.session_service import SessionService
from parley_janitor.settings import JanitorSettings


def create_app(settings: JanitorSettings | None = None) -> FastAPI:
    settings = settings or JanitorSettings()
    # First: without keys (and without PARLEY_JANITOR_AUTH=off) nothing else is started.
    authenticator = Authenticator.from_settings(settings)
    broker = build_broker(settings.kafka_connection(), client_id="parley-janitor")
    store = settings.open_session_store()
    limits_redis = connect_redis(settings.redis_connection(), timeout_s=2)
    lifecycle = SessionLifecycle(store, BusPublisher(broker), settings)
    service = SessionService(
        store, lifecycle, RateLimiter(limits_redis, settings.rate_limit_window_s), settings
    )
    identify = KeyIdentity(ClientAddress(settings.trusted_proxies))
    subscriber = group_subscriber(broker, settings.consumer_group, CALL_EVENTS)
    mcp = build_mcp_server(service, identify)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True
    )

    @subscriber(decoder=event_decoder(call_event_decoder))
    async def on_call_event(event: CallEvent | None) -> None:
        await lifecycle.on_call_event(event)

    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))
    readiness.add(settings.session_store, store.ping)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            await store.check_access()
            await check_rate_limit_access(limits_redis, settings.redis_connection())
            async with running_broker(broker, [subscriber]), mcp.session_manager.run():
                sweeper = asyncio.create_task(lifecycle.run_sweeper(), name="session-expiry")
                try:
                    yield
                finally:
                    sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sweeper
        finally:
            await store.close_store()
            await limits_redis.aclose()

    app = build_service_app("janitor", readiness, lifespan)
    app.include_router(sessions_router(service, identify, authenticator))
    install_error_handlers(app)
    app.router.routes.extend(_with_keys(mcp_app.routes, authenticator))
    return app


def _with_keys(routes: list[BaseRoute], authenticator: Authenticator) -> list[BaseRoute]:
    """The MCP app's routes, each endpoint behind the API key check."""
    return [
        Route(r.path, McpKeyAuth(r.endpoint, authenticator), methods=r.methods, name=r.name)
        if isinstance(r, Route)
        else r
        for r in routes
    ]
