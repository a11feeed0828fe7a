"""The edge: each carrier's webhooks and media streams in, Kafka out, and back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket
from parley_bus import BusPublisher, build_broker, kafka_readiness, running_broker
from parley_runtime import Readiness, build_service_app
from parley_sessions import CallIndex

from parley_edge import metrics
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger
from parley_edge.call_stream import POLICY_VIOLATION, CallStream, EdgeContext
from parley_edge.carriers.base import Carrier
from parley_edge.carriers.registry import build_carriers
from parley_edge.outbound import register_outbound_subscribers
from parley_edge.registry import CallRegistry
from parley_edge.settings import EdgeSettings
from parley_edge.stream_token import StreamTokens


def create_app(settings: EdgeSettings | None = None) -> FastAPI:
    settings = settings or EdgeSettings()
    broker = build_broker(settings.kafka_connection(), client_id=f"parley-edge-{settings.slot}")
    publisher = BusPublisher(broker)
    registry = CallRegistry()
    subscribers = register_outbound_subscribers(broker, registry, settings.slot)
    call_index = CallIndex(settings.redis_connection(), settings.pending_call_timeout_s)
    calls = CallLedger(
        CallAdmission(settings.max_concurrent_calls),
        call_index,
        publisher,
        settings.pending_call_timeout_s,
    )
    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, subscribers))
    readiness.add("redis", call_index.ping)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            await call_index.check_access()
            async with running_broker(broker, subscribers):
                yield
                await calls.close()
        finally:
            await call_index.close()

    app = build_service_app("edge", readiness, lifespan)
    tokens = StreamTokens(settings.token_secret(), settings.stream_token_ttl_s)
    for carrier in build_carriers(settings):
        app.include_router(carrier.webhook_router(calls, tokens))
        edge = EdgeContext(
            publisher=publisher,
            registry=registry,
            tokens=tokens,
            calls=calls,
            serializer=carrier.serializer,
            call_control=carrier.call_control,
            slot=settings.slot,
            playback_ahead_ms=settings.playback_ahead_ms,
            max_call_duration_s=settings.max_call_duration_s,
            start_timeout_s=settings.start_timeout_s,
        )
        app.add_api_websocket_route(carrier.media_path, _media_stream(carrier, edge))

    return app


def _media_stream(carrier: Carrier, edge: EdgeContext) -> Callable[[WebSocket], Awaitable[None]]:
    async def media_stream(websocket: WebSocket) -> None:
        await websocket.accept()
        if not carrier.accepts_upgrade(websocket):
            metrics.STREAMS_REJECTED.labels(reason="signature").inc()
            await websocket.close(code=POLICY_VIOLATION, reason=carrier.upgrade_refusal)
            return
        await CallStream(websocket, edge).run()

    return media_stream
