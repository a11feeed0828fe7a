"""piper behind the asynchronous synthesis interface, on one engine thread."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from concurrent.futures import ThreadPoolExecutor

from parley_audio import AudioFormat

from parley_speech.piper_tts import PiperSynthesizer
from parley_speech.synthesis import SynthesisRequest


class LocalSynthesizer:
    name = "local"

    def __init__(self, piper: PiperSynthesizer, executor: ThreadPoolExecutor | None = None) -> None:
        self._piper = piper
        self._executor = executor or ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="tts-engine"
        )
        self.default_voice = piper.voice_name
        self.output_format = AudioFormat("linear16", piper.sample_rate)

    def voices(self) -> frozenset[str]:
        return frozenset({self.default_voice})

    async def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        chunks = self._piper.synthesize_pcm16(request.text, request.speed)
        loop = asyncio.get_running_loop()
        try:
            while (
                chunk := await loop.run_in_executor(self._executor, next, chunks, None)
            ) is not None:
                yield chunk
        finally:
            chunks.close()

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
