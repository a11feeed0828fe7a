"""The Google TTS fake's voice: piper speech as mu-law 8 kHz inside a WAV header, the
way Google returns ``MULAW`` audio."""

from __future__ import annotations

import asyncio
import struct
from concurrent.futures import ThreadPoolExecutor

from parley_speech import PiperSynthesizer

MULAW_FORMAT_CODE = 7


def mulaw_wav(samples: bytes, sample_rate: int = 8000) -> bytes:
    fmt = struct.pack("<HHIIHH", MULAW_FORMAT_CODE, 1, sample_rate, sample_rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


class FakeVoice:
    """piper on one thread of its own (it is not safe for concurrent use); loaded on the
    first request so a fake that only recognises never loads it."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fake-google-tts")
        self._piper: PiperSynthesizer | None = None

    def speak(self, text: str) -> bytes:
        """Blocking: run it on ``executor``."""
        return mulaw_wav(b"".join(self._loaded().synthesize_mulaw8k(text)))

    async def load(self) -> None:
        """Load piper now rather than on the first request."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._loaded)

    def _loaded(self) -> PiperSynthesizer:
        if self._piper is None:
            self._piper = PiperSynthesizer(variation=0.0)  # the same text, the same audio
        return self._piper

    @property
    def executor(self) -> ThreadPoolExecutor:
        return self._executor

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
