"""Run a service: a FastAPI app (ops endpoints plus anything else) whose lifespan owns
the service's resources (Kafka broker, stores, engines)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import uvicorn
from fastapi import FastAPI
from parley_telemetry import configure_tracing, shutdown_tracing

from parley_runtime.health import LoopLagProbe, Readiness
from parley_runtime.logs import configure_logging
from parley_runtime.ops import ops_router
from parley_runtime.settings import ServiceSettings

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
log = logging.getLogger(__name__)


def build_service_app(name: str, readiness: Readiness, lifespan: Lifespan) -> FastAPI:
    """A FastAPI app with the ops endpoints; ``lifespan`` starts and stops the work."""
    probe = LoopLagProbe()

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        probe.start()
        log.info("service starting", extra={"event": "service.starting"})
        async with lifespan(app):
            log.info("service started", extra={"event": "service.started"})
            yield
        await probe.stop()
        shutdown_tracing()
        log.info("service stopped", extra={"event": "service.stopped"})

    app = FastAPI(title=f"parley-{name}", lifespan=run)
    app.include_router(ops_router(name, probe, readiness))
    return app


WEBSOCKET_MAX_MESSAGE_BYTES = 256 * 1024


def serve(
    name: str,
    settings: ServiceSettings,
    app_factory: Callable[[], FastAPI],
    proxy_headers: bool = True,
) -> None:
    """Configure logging and serve the app until SIGINT/SIGTERM.

    ``proxy_headers=False`` leaves the peer address as it is: uvicorn otherwise replaces
    it with X-Forwarded-For whenever the peer is 127.0.0.1, for an app that reads the
    header itself under its own trust settings."""
    configure_logging(name, settings.log_level)
    configure_tracing(name)
    uvicorn.run(
        app_factory(),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        proxy_headers=proxy_headers,
        # Twilio's largest message (``start``) is about a kilobyte; uvicorn's default
        # 16 MiB would let a few hostile sockets pin a lot of memory before any check.
        ws_max_size=WEBSOCKET_MAX_MESSAGE_BYTES,
    )
