"""The edge: Twilio webhooks and Media Streams in, Kafka out, and back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket
from parley_bus import BusPublisher, build_broker, kafka_readiness, running_broker
from parley_runtime import Readiness, build_service_app
from parley_sessions import CallIndex

from parley_edge.call_stream import CallStream
from parley_edge.outbound import register_outbound_subscribers
from parley_edge.registry import CallRegistry
from parley_edge.settings import EdgeSettings
from parley_edge.signature import TwilioSignatureVerifier
from parley_edge.twiml import MEDIA_PATH
from parley_edge.webhooks import webhook_router


def create_app(settings: EdgeSettings | None = None) -> FastAPI:
    settings = settings or EdgeSettings()
    broker = build_broker(
        settings.kafka_bootstrap_servers, client_id=f"parley-edge-{settings.slot}"
    )
    publisher = BusPublisher(broker)
    registry = CallRegistry()
    subscribers = register_outbound_subscribers(broker, registry, settings.slot)
    call_index = CallIndex(settings.redis_url)
    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, subscribers))
    readiness.add("redis", call_index.ping)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            async with running_broker(broker, subscribers):
                yield
        finally:
            await call_index.close()

    app = build_service_app("edge", readiness, lifespan)
    verifier = TwilioSignatureVerifier(settings.twilio_auth_token, settings.public_url)
    app.include_router(webhook_router(verifier, call_index, publisher, settings.public_url))

    @app.websocket(MEDIA_PATH)
    async def media_stream(websocket: WebSocket) -> None:
        await websocket.accept()
        stream = CallStream(
            websocket, publisher, registry, settings.slot, settings.playback_ahead_ms
        )
        await stream.run()

    return app
