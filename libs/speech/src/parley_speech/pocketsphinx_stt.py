"""Offline recognition with pocketsphinx and its own voice-activity endpointer.

Telephone audio (mu-law 8 kHz) is upsampled to 16 kHz for pocketsphinx's default
US-English model. The endpointer decides when speech starts and ends; speech is decoded
as it arrives so the final result is ready moments after the caller stops.
"""

from __future__ import annotations

import threading

from pocketsphinx import Decoder

from parley_speech.speech_endpointer import (
    MODEL_RATE,
    EndpointerConfig,
    EndpointEvent,
    InterimDue,
    SpeechBegan,
    SpeechEnded,
    SpeechHeard,
    SpeechPaused,
    TelephoneEndpointer,
    telephone_to_model_rate,
)
from parley_speech.stt import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    SpeechStarted,
)

# Initial cepstral mean for telephone speech (8 kHz, upsampled to 16 kHz), measured by
# live-decoding phone-band speech. The model's default mean is that of wideband audio;
# starting from it, the first seconds of every call are misheard ("thank you goodbye"
# comes out as "they do the body") until the live estimate has adapted.
TELEPHONE_CMN_INIT = (
    "47.95,24.30,-27.95,30.43,-12.08,-2.44,7.38,-20.08,11.66,-5.11,3.45,6.51,-11.85"
)

_BYTES_PER_MS = MODEL_RATE * 2 // 1000


class DecoderPool:
    """Decoders take a few hundred ms and tens of MB to load; reuse them across calls.

    Every call starts from the telephone-band cepstral mean rather than what the
    previous call adapted the decoder to. (pocketsphinx's live mode is still not bit-for-
    bit repeatable from one decoder to the next, so the same audio can occasionally be
    recognised slightly differently.)
    """

    def __init__(self) -> None:
        self._idle: list[Decoder] = []
        self._lock = threading.Lock()

    def acquire(self) -> Decoder:
        with self._lock:
            decoder = self._idle.pop() if self._idle else None
        if decoder is None:
            return Decoder(samprate=MODEL_RATE, loglevel="FATAL", cmninit=TELEPHONE_CMN_INIT)
        decoder.reinit_feat()
        decoder.set_cmn(TELEPHONE_CMN_INIT)
        return decoder

    def release(self, decoder: Decoder) -> None:
        with self._lock:
            self._idle.append(decoder)


class PocketsphinxRecognizer:
    def __init__(self, decoder: Decoder, pool: DecoderPool, config: EndpointingConfig) -> None:
        self._decoder = decoder
        self._pool = pool
        self._config = config
        pause_ms = config.pause_ms if 0 < config.pause_ms < config.silence_ms else 0
        self._endpointer = TelephoneEndpointer(
            EndpointerConfig(
                silence_ms=config.silence_ms,
                interim_interval_ms=config.interim_interval_ms,
                pause_ms=pause_ms,
                # At a pause the decoder catches up on what the endpointer still holds.
                history_ms=config.silence_ms + 2 * config.interim_interval_ms if pause_ms else 0,
            )
        )
        self._decoded_ms = 0.0
        """Where the audio handed to the decoder ends (ms of the call's audio)."""
        self._in_utterance = False
        self._speech_start_ms = 0
        self._closed = False

    def feed(self, mulaw_frame: bytes) -> list[RecognizerEvent]:
        if self._closed or not mulaw_frame:
            return []
        return self._recognise(self._endpointer.feed(mulaw_frame))

    def _recognise(self, steps: list[EndpointEvent]) -> list[RecognizerEvent]:
        events: list[RecognizerEvent] = []
        for step in steps:
            if isinstance(step, SpeechBegan):
                self._decoder.start_utt()
                self._decoded_ms = 0.0  # a new utterance: everything of it is new
                self._in_utterance = True
                self._speech_start_ms = step.start_ms
                events.append(SpeechStarted(offset_ms=step.start_ms))
            elif isinstance(step, SpeechHeard):
                self._decode(step.pcm, step.end_ms)
            elif isinstance(step, SpeechEnded):
                events.extend(self._end_utterance(step.end_ms))
            elif isinstance(step, InterimDue) and (interim := self._hypothesis()):
                text, confidence = interim
                events.append(
                    InterimTranscript(text, confidence, self._speech_start_ms, step.heard_ms)
                )
            elif isinstance(step, SpeechPaused):
                events.extend(self._paused(step.at_ms))
        return events

    def _decode(self, pcm: bytes, end_ms: float) -> None:
        """Hand speech to the decoder, less what it already got at a pause."""
        start_ms = end_ms - len(pcm) / _BYTES_PER_MS
        if self._decoded_ms > start_ms:
            pcm = pcm[int((self._decoded_ms - start_ms) * _BYTES_PER_MS) & ~1 :]
        if pcm:
            self._decoder.process_raw(pcm, no_search=False, full_utt=False)
        self._decoded_ms = max(self._decoded_ms, end_ms)

    def _paused(self, at_ms: int) -> list[RecognizerEvent]:
        """The caller went quiet: the words so far, with the audio the endpointer still
        holds decoded now rather than a window later."""
        self._decode(self._endpointer.audio_between(self._decoded_ms, at_ms), at_ms)
        interim = self._hypothesis()
        if interim is None:
            return []
        text, confidence = interim
        # The words end where the pause began, not where it was noticed.
        spoken_to = max(self._speech_start_ms, at_ms - self._config.pause_ms)
        return [InterimTranscript(text, confidence, self._speech_start_ms, spoken_to, paused=True)]

    def _hypothesis(self) -> tuple[str, float] | None:
        hyp = self._decoder.hyp()
        if hyp is None or not hyp.hypstr:
            return None
        # The posterior pocketsphinx attaches to the best path; 0..1 after exp().
        confidence = float(self._decoder.logmath.exp(hyp.prob)) if hyp.prob else 0.0
        return hyp.hypstr, min(1.0, max(0.0, confidence))

    def _end_utterance(self, end_ms: int) -> list[RecognizerEvent]:
        self._decoder.end_utt()
        self._in_utterance = False
        result = self._hypothesis()
        if result is None or end_ms - self._speech_start_ms < self._config.min_speech_ms:
            return []
        text, confidence = result
        return [FinalTranscript(text, confidence, self._speech_start_ms, end_ms)]

    def finish(self) -> list[RecognizerEvent]:
        if self._closed or not self._in_utterance:
            return []
        return self._recognise(self._endpointer.finish())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._in_utterance:
            self._decoder.end_utt()
        self._pool.release(self._decoder)


class PocketsphinxRecognizerFactory:
    def __init__(self, config: EndpointingConfig | None = None) -> None:
        self._config = config or EndpointingConfig()
        self._pool = DecoderPool()

    def create(self) -> PocketsphinxRecognizer:
        return PocketsphinxRecognizer(self._pool.acquire(), self._pool, self._config)


def transcribe_recording(mulaw: bytes) -> str:
    """Transcribe a whole telephone recording at once (not live): batch decoding
    normalises over the full recording, which is the most accurate pocketsphinx gets.
    Meant for checking what a caller actually heard, not for live calls."""
    if not mulaw:
        return ""
    pcm = telephone_to_model_rate(mulaw)
    decoder = Decoder(samprate=MODEL_RATE, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm.astype("<i2").tobytes(), no_search=False, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""
