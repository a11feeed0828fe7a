"""An asyncio event loop on a thread of its own, for local servers (protocol fakes) that
must keep serving while the test's own loop is blocked or busy."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> BackgroundLoop:
        self._thread.start()
        return self

    def run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class _Startable(Protocol):
    async def start(self) -> Self: ...

    async def stop(self) -> None: ...


S = TypeVar("S", bound=_Startable)


@contextmanager
def served_in_background(fake: S) -> Iterator[S]:
    """``fake`` started on a loop of its own until the block ends (a module's services
    talk to it while the tests' loops come and go)."""
    with BackgroundLoop() as background:
        started = background.run(fake.start())
        try:
            yield started
        finally:
            background.run(fake.stop())
