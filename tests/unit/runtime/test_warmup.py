"""An engine's warm-up decides the service's `engine` readiness check."""

from __future__ import annotations

import asyncio

import pytest
from parley_runtime import EngineNotReadyError, EngineWarmup, Readiness


async def test_not_ready_while_loading_then_ready() -> None:
    loaded = asyncio.Event()

    async def load() -> None:
        await loaded.wait()

    warmup = EngineWarmup("speech model", load)
    readiness = Readiness()
    readiness.add("engine", warmup.check)
    assert await readiness.evaluate() == {"engine": "speech model is still loading"}
    warmup.start()
    await asyncio.sleep(0)
    with pytest.raises(EngineNotReadyError, match="still loading"):
        await warmup.check()
    loaded.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert await readiness.evaluate() == {"engine": "ok"}


async def test_a_model_that_fails_to_load_keeps_the_service_unready() -> None:
    async def load() -> None:
        raise FileNotFoundError("no such voice: en_US-nobody.onnx")

    warmup = EngineWarmup("voice", load)
    warmup.start()
    for _ in range(10):
        await asyncio.sleep(0)
    with pytest.raises(EngineNotReadyError, match=r"voice failed to load \(no such voice"):
        await warmup.check()
