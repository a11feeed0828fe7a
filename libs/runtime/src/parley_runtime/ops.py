"""The operational endpoints every service serves: /healthz, /readyz, /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import ORJSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from parley_runtime.health import LoopLagProbe, Readiness


def ops_router(service: str, probe: LoopLagProbe, readiness: Readiness) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> Response:
        ok = probe.healthy()
        body = {
            "service": service,
            "status": "ok" if ok else "stalled",
            "loopLagS": probe.last_lag_s,
        }
        return ORJSONResponse(body, status_code=200 if ok else 503)

    @router.get("/readyz")
    async def readyz() -> Response:
        checks = await readiness.evaluate()
        ready = all(v == "ok" for v in checks.values())
        body = {"service": service, "status": "ready" if ready else "not ready", "checks": checks}
        return ORJSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
