"""Running a coroutine to completion from synchronous code, inside or outside a loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(make_coro: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine built by ``make_coro`` and return its result.

    The service classes are synchronous (they manage processes), yet their readiness
    probes use asyncio clients. When the calling thread already runs an event loop
    (an async pytest fixture), the coroutine runs on a fresh loop in a helper thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coro())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result()
