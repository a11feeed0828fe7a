"""What every Parley service process shares: settings, logs, health, metrics, serving."""

from parley_runtime.health import LoopLagProbe, Readiness, ReadinessCheck
from parley_runtime.logs import configure_logging
from parley_runtime.service import build_service_app, serve
from parley_runtime.settings import ServiceSettings
from parley_runtime.warmup import EngineNotReadyError, EngineWarmup

__all__ = [
    "EngineNotReadyError",
    "EngineWarmup",
    "LoopLagProbe",
    "Readiness",
    "ReadinessCheck",
    "ServiceSettings",
    "build_service_app",
    "configure_logging",
    "serve",
]
