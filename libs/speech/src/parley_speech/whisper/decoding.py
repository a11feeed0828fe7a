"""Whole utterances through Whisper, on a bounded pool of decoder threads.

Whisper is not a streaming model: it hears an utterance at once, and a decode costs
about the same whatever the utterance's length (the encoder always sees a 30 s window).
So the recogniser decodes when the caller pauses or stops, and the pool bounds how many
decodes run at once; the rest wait their turn instead of slowing every call down.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from parley_speech.errors import ProviderUnavailable, SpeechProviderError
from parley_speech.speech_endpointer import MODEL_RATE, telephone_to_model_rate
from parley_speech.whisper.model import WHISPER_PROVIDER

FloatAudio = npt.NDArray[np.float32]
# Written-out numbers ("at nine", "five five five"), as the other offline engine and
# the demo agent say them: tokens with digits or currency and percent signs are never
# chosen, so Whisper spells numbers out instead.
_NUMERAL_CHARACTERS = frozenset("0123456789%$£€")


def pcm16_to_float(pcm: bytes) -> FloatAudio:
    """16-bit PCM bytes as the -1..1 floats Whisper takes."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def telephone_to_float(mulaw: bytes) -> FloatAudio:
    """A whole mu-law 8 kHz recording as 16 kHz float32, Whisper's input."""
    return telephone_to_model_rate(mulaw).astype(np.float32) / 32768.0


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    confidence: float


class WhisperDecoder:
    """Greedy, single-temperature decodes: each costs one pass, whatever the audio.
    Safe to call from as many threads as the model has workers."""

    def __init__(self, model: Any) -> None:
        self._model = model
        tokenizer = model.hf_tokenizer
        end_of_text = tokenizer.token_to_id("<|endoftext|>")
        self._suppress = [-1] + [
            token
            for token in range(end_of_text)
            if _NUMERAL_CHARACTERS.intersection(tokenizer.decode([token]))
        ]

    def decode(self, pcm: bytes) -> Decoded:
        segments, _ = self._model.transcribe(
            pcm16_to_float(pcm),
            language="en",
            beam_size=1,
            temperature=0.0,
            without_timestamps=True,
            condition_on_previous_text=False,
            suppress_tokens=self._suppress,
        )
        heard = [s for s in segments if s.text.strip()]
        if not heard:
            return Decoded("", 0.0)
        text = " ".join(s.text.strip() for s in heard)
        # The mean per-token probability of the decoded text, 0..1.
        confidence = math.exp(sum(s.avg_logprob for s in heard) / len(heard))
        return Decoded(text, min(1.0, max(0.0, confidence)))

    def warm_up(self) -> None:
        """The first decode of a process is the slowest; spend it before a caller."""
        self.decode(bytes(MODEL_RATE * 2))


Decode = Callable[[bytes], Decoded]


class DecodePool:
    """``size`` decodes at once on their own threads; more wait in order. ``load`` (run
    on a pool thread, once) gives the function that decodes 16 kHz 16-bit PCM."""

    def __init__(self, load: Callable[[], Decode], size: int) -> None:
        self._load = load
        self._decode: Decode | None = None
        self._load_lock = threading.Lock()
        self._failure: SpeechProviderError | None = None
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="stt-whisper")
        self._count_lock = threading.Lock()
        self.in_flight = 0
        """Decodes queued or running."""
        self._decodes: dict[asyncio.Future[Decoded], Future[Decoded]] = {}

    def _decoder(self) -> Decode:
        """A model that cannot be loaded stays unloadable until the worker restarts
        (the files are checked once, not on every call)."""
        with self._load_lock:
            if self._failure is not None:
                raise self._failure
            if self._decode is None:
                try:
                    self._decode = self._load()
                except SpeechProviderError as exc:
                    self._failure = exc
                    raise
                except Exception as exc:
                    self._failure = ProviderUnavailable(
                        WHISPER_PROVIDER, f"the model could not be loaded ({exc!r})"
                    )
                    raise self._failure from exc
            return self._decode

    def _run(self, pcm: bytes) -> Decoded:
        decode = self._decoder()
        try:
            return decode(pcm)
        except Exception as exc:
            raise ProviderUnavailable(WHISPER_PROVIDER, f"decoding failed ({exc!r})") from exc

    async def ready(self) -> None:
        """Loads the decoder (if not yet loaded) without holding up the event loop."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._decoder)

    def has_idle_decoder(self) -> bool:
        return self.in_flight < self.size

    def submit(self, pcm: bytes) -> asyncio.Future[Decoded]:
        """Cancelling the future before its decode starts takes it off the queue; a
        decode already running finishes (its thread stays busy) and is ignored."""
        decode = self._executor.submit(self._run, pcm)
        with self._count_lock:
            self.in_flight += 1
        decode.add_done_callback(self._done)
        future = asyncio.wrap_future(decode)
        self._decodes[future] = decode
        future.add_done_callback(self._forget)
        return future

    def withdraw(self, future: asyncio.Future[Decoded]) -> None:
        """Takes a decode off the queue if it has not started; one running goes on."""
        decode = self._decodes.get(future)
        if decode is not None:
            decode.cancel()

    def _forget(self, future: asyncio.Future[Decoded]) -> None:
        self._decodes.pop(future, None)

    def _done(self, _: Future[Decoded]) -> None:
        with self._count_lock:
            self.in_flight -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
