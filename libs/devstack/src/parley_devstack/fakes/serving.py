"""What every fake shares: serving on a loopback port (chosen free by default), as an
async context manager for tests, or in the foreground
(``python -m parley_devstack.fakes.<name>``) until SIGINT or SIGTERM; and, for the HTTP
fakes, serving their aiohttp routes."""

from __future__ import annotations

import asyncio
import logging
import signal
from types import TracebackType
from typing import Self

from aiohttp import web

log = logging.getLogger(__name__)


class LoopbackFake:
    """A fake that serves on 127.0.0.1 between ``start`` and ``stop``."""

    @property
    def url(self) -> str:
        raise NotImplementedError

    async def start(self) -> Self:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


class HttpFake(LoopbackFake):
    """A fake served by aiohttp on 127.0.0.1; subclasses add their routes."""

    shutdown_timeout_s = 60.0
    """How long stopping waits for answers still being sent."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> Self:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=self.shutdown_timeout_s
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_forever(fake: LoopbackFake, name: str) -> None:
    """Start ``fake`` and serve until SIGINT or SIGTERM, then stop it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with fake:
        log.info("fake listening", extra={"event": f"fake.{name}_ready", "url": fake.url})
        await stop.wait()
