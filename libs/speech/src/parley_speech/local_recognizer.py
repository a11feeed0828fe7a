"""pocketsphinx behind the asynchronous recognition interface.

Decoding is CPU-bound, so it runs on one engine thread shared by all of the worker's
calls; each call's frames are decoded in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from parley_speech.pocketsphinx_stt import PocketsphinxRecognizer, PocketsphinxRecognizerFactory
from parley_speech.stt import EndpointingConfig, RecognizerEvent

LOCAL_PROVIDER = "local"
_END = object()


class LocalRecognitionStream:
    def __init__(self, recognizer: PocketsphinxRecognizer, executor: ThreadPoolExecutor) -> None:
        self._recognizer = recognizer
        self._executor = executor
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._done = False

    async def send(self, mulaw_frame: bytes) -> None:
        if self._done:
            return
        loop = asyncio.get_running_loop()
        for event in await loop.run_in_executor(self._executor, self._recognizer.feed, mulaw_frame):
            self._queue.put_nowait(event)

    async def finish(self) -> None:
        if self._done:
            return
        self._done = True
        loop = asyncio.get_running_loop()
        for event in await loop.run_in_executor(self._executor, self._recognizer.finish):
            self._queue.put_nowait(event)
        await self.close()

    async def close(self) -> None:
        self._done = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._recognizer.close)
        self._queue.put_nowait(_END)

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        while (item := await self._queue.get()) is not _END:
            yield item  # type: ignore[misc]


class LocalRecognizer:
    name = LOCAL_PROVIDER

    def __init__(self, executor: ThreadPoolExecutor | None = None) -> None:
        self._executor = executor or ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="stt-engine"
        )
        self._factories: dict[EndpointingConfig, PocketsphinxRecognizerFactory] = {}

    def _factory(self, endpointing: EndpointingConfig) -> PocketsphinxRecognizerFactory:
        factory = self._factories.get(endpointing)
        if factory is None:
            factory = self._factories[endpointing] = PocketsphinxRecognizerFactory(endpointing)
        return factory

    async def open(self, endpointing: EndpointingConfig) -> LocalRecognitionStream:
        loop = asyncio.get_running_loop()
        recognizer = await loop.run_in_executor(self._executor, self._factory(endpointing).create)
        return LocalRecognitionStream(recognizer, self._executor)

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
