"""The edge: Twilio webhooks and Media Streams in, Kafka out, and back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket
from parley_bus import BusPublisher, build_broker, kafka_readiness, running_broker
from parley_runtime import Readiness, build_service_app
from parley_sessions import CallIndex

from parley_edge import metrics
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger
from parley_edge.call_stream import POLICY_VIOLATION, CallStream, EdgeContext
from parley_edge.carriers.twilio.call_control import TwilioCallControl
from parley_edge.carriers.twilio.serializer import TwilioMediaSerializer
from parley_edge.outbound import register_outbound_subscribers
from parley_edge.registry import CallRegistry
from parley_edge.settings import EdgeSettings
from parley_edge.signature import TwilioSignatureVerifier
from parley_edge.stream_token import StreamTokens
from parley_edge.twiml import MEDIA_PATH, media_stream_url
from parley_edge.webhooks import webhook_router


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
    verifier = TwilioSignatureVerifier(settings.twilio_auth_token, settings.public_url)
    tokens = StreamTokens(settings.token_secret(), settings.stream_token_ttl_s)
    app.include_router(webhook_router(verifier, calls, settings.public_url, tokens))
    stream_url = media_stream_url(settings.public_url)
    edge = EdgeContext(
        publisher=publisher,
        registry=registry,
        tokens=tokens,
        calls=calls,
        serializer=TwilioMediaSerializer(),
        call_control=TwilioCallControl(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_api_url,
            settings.twilio_api_timeout_s,
        ),
        slot=settings.slot,
        playback_ahead_ms=settings.playback_ahead_ms,
        max_call_duration_s=settings.max_call_duration_s,
        start_timeout_s=settings.start_timeout_s,
    )

    @app.websocket(MEDIA_PATH)
    async def media_stream(websocket: WebSocket) -> None:
        await websocket.accept()
        signature = websocket.headers.get("x-twilio-signature")
        query = websocket.url.query
        signed_url = stream_url + (f"?{query}" if query else "")
        if signature is not None and not verifier.is_valid_url(signed_url, {}, signature):
            # Twilio signs the upgrade over the wss:// URL with no parameters.
            metrics.STREAMS_REJECTED.labels(reason="signature").inc()
            await websocket.close(code=POLICY_VIOLATION, reason="invalid X-Twilio-Signature")
            return
        await CallStream(websocket, edge).run()

    return app
