"""The Whisper recogniser's stream: when it decodes, which decode becomes the final, and
the audio it decodes; the model is replaced by a decoder that says what it was given."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from parley_audio.codec import mulaw_encode
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    SpeechStarted,
)
from parley_speech.whisper import (
    Decoded,
    DecodePool,
    WhisperRecognizer,
    WhisperSettings,
    pcm16_to_float,
    telephone_to_float,
)

from tests.unit.speech.synthetic_voice import silence, voiced

BYTES_PER_MS = 32  # 16 kHz, 16-bit


class LengthDecoder:
    """Hears "<n> ms": how much audio it was asked to decode."""

    def __init__(self) -> None:
        self.decoded_ms: list[int] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, pcm: bytes) -> Decoded:
        self.started.set()
        self.release.wait(timeout=10)
        self.decoded_ms.append(len(pcm) // BYTES_PER_MS)
        return Decoded(f"{len(pcm) // BYTES_PER_MS} ms", 0.9)


def recognizer(decoder: LengthDecoder, **settings: int) -> WhisperRecognizer:
    return WhisperRecognizer(WhisperSettings(**settings), DecodePool(lambda: decoder, size=1))


async def recognise(
    whisper: WhisperRecognizer,
    frames: list[bytes],
    endpointing: EndpointingConfig,
    settle: DecodePool | None = None,
) -> list[RecognizerEvent]:
    """With ``settle``, each frame waits for that pool's decodes in progress, as frames
    arriving in real time would give a fast decoder time to finish."""
    stream = await whisper.open(endpointing)
    for frame in frames:
        await stream.send(frame)
        while settle is not None and settle.in_flight:
            await asyncio.sleep(0.001)
    await stream.finish()
    events = [event async for event in stream.events()]
    await stream.close()
    await whisper.aclose()
    return events


def finals(events: list[RecognizerEvent]) -> list[FinalTranscript]:
    return [e for e in events if isinstance(e, FinalTranscript)]


async def test_a_caller_who_stays_quiet_after_a_pause_gets_the_decode_started_at_the_pause() -> (
    None
):
    decoder = LengthDecoder()
    whisper = recognizer(decoder)
    events = await recognise(whisper, silence(500) + voiced(1000) + silence(1000), ENDPOINTING)
    started, *_, final = events
    assert isinstance(started, SpeechStarted) and isinstance(final, FinalTranscript)
    # One decode: the one started at the pause, which runs past the end of the speech
    # (the endpointer ends utterances later than the pause is noticed).
    assert len(decoder.decoded_ms) == 1
    assert decoder.decoded_ms[0] > final.end_ms - final.start_ms
    assert final.text == f"{decoder.decoded_ms[0]} ms"
    assert final.start_ms == started.offset_ms


async def test_a_caller_who_goes_on_after_a_pause_gets_a_decode_of_the_whole_utterance() -> None:
    decoder = LengthDecoder()
    pool = DecodePool(lambda: decoder, size=1)
    whisper = WhisperRecognizer(WhisperSettings(), pool)
    frames = silence(500) + voiced(800) + silence(400) + voiced(800) + silence(1200)
    events = await recognise(whisper, frames, EndpointingConfig(silence_ms=600, pause_ms=150), pool)
    (final,) = finals(events)
    # The decode at the first pause was dropped; the one at the second pause, after all
    # of the speech, is the final.
    first_pause, second_pause = decoder.decoded_ms
    assert first_pause < 1500 < 2000 < final.end_ms - final.start_ms < second_pause
    assert final.text == f"{second_pause} ms"
    # Each decode was done while the caller was quiet, so each went out as a paused
    # interim; only the second became the final.
    kinds = [type(e) for e in events]
    assert kinds == [SpeechStarted, InterimTranscript, InterimTranscript, FinalTranscript]
    assert [e.text for e in events if isinstance(e, InterimTranscript)] == [
        f"{first_pause} ms",
        f"{second_pause} ms",
    ]


async def test_a_decode_done_while_the_caller_is_still_quiet_goes_out_as_a_paused_interim() -> None:
    decoder = LengthDecoder()
    pool = DecodePool(lambda: decoder, size=1)
    whisper = WhisperRecognizer(WhisperSettings(), pool)
    frames = silence(500) + voiced(1000) + silence(1000)
    events = await recognise(whisper, frames, ENDPOINTING, pool)
    _, paused, final = events
    assert isinstance(paused, InterimTranscript) and paused.paused
    assert isinstance(final, FinalTranscript)
    # The same decode: the words the final will have, ending where the speech did.
    assert paused.text == final.text and decoder.decoded_ms == [int(final.text.split()[0])]
    assert paused.start_ms == final.start_ms and paused.end_ms <= final.end_ms


async def test_without_speculation_the_utterance_is_decoded_once_it_has_ended() -> None:
    decoder = LengthDecoder()
    whisper = recognizer(decoder)
    frames = silence(500) + voiced(1000) + silence(1000)
    events = await recognise(whisper, frames, EndpointingConfig(silence_ms=300, pause_ms=0))
    (final,) = finals(events)
    assert decoder.decoded_ms == [final.end_ms - final.start_ms]


async def test_sounds_shorter_than_speech_are_not_decoded() -> None:
    decoder = LengthDecoder()
    endpointing = EndpointingConfig(min_speech_ms=2000)
    whisper = recognizer(decoder)
    events = await recognise(whisper, silence(500) + voiced(1000) + silence(1000), endpointing)
    assert [type(e) for e in events] == [SpeechStarted]
    assert decoder.decoded_ms == []


async def test_the_end_of_the_call_finishes_the_utterance_in_progress() -> None:
    decoder = LengthDecoder()
    whisper = recognizer(decoder)
    events = await recognise(whisper, silence(500) + voiced(1500), ENDPOINTING)
    (final,) = finals(events)
    assert final.end_ms >= 1800
    assert final.text == f"{final.end_ms - final.start_ms} ms"


async def test_interim_transcripts_come_from_periodic_decodes_before_the_final() -> None:
    decoder = LengthDecoder()
    pool = DecodePool(lambda: decoder, size=1)
    whisper = WhisperRecognizer(WhisperSettings(interim_interval_ms=400), pool)
    frames = silence(500) + voiced(2000) + silence(1000)
    events = await recognise(whisper, frames, ENDPOINTING, pool)
    interims = [e for e in events if isinstance(e, InterimTranscript)]
    (final,) = finals(events)
    assert len(interims) >= 2
    assert events[-1] is final
    assert all(i.start_ms == final.start_ms and i.end_ms <= final.end_ms for i in interims)
    assert [i.end_ms for i in interims] == sorted(i.end_ms for i in interims)


async def test_interims_wait_for_a_free_decoder_rather_than_queue() -> None:
    decoder = LengthDecoder()
    decoder.release.clear()  # every decode blocks: the only decoder stays busy
    whisper = recognizer(decoder, interim_interval_ms=200)
    stream = await whisper.open(EndpointingConfig(silence_ms=300, pause_ms=0))
    for frame in silence(500) + voiced(1000):
        await stream.send(frame)
    assert await asyncio.to_thread(decoder.started.wait, 10)
    for frame in voiced(1000):
        await stream.send(frame)
    decoder.release.set()
    await stream.finish()
    events = [event async for event in stream.events()]
    await whisper.aclose()
    # The first interim took the decoder; the others found it busy and were skipped.
    assert len([e for e in events if isinstance(e, InterimTranscript)]) == 1
    assert len(decoder.decoded_ms) == 2  # that interim and the final


async def test_closing_the_stream_ends_its_events_and_drops_pending_decodes() -> None:
    decoder = LengthDecoder()
    decoder.release.clear()
    whisper = recognizer(decoder)
    stream = await whisper.open(ENDPOINTING)
    for frame in silence(500) + voiced(1000) + silence(1000):
        await stream.send(frame)
    await stream.close()
    events = [event async for event in stream.events()]
    decoder.release.set()
    await whisper.aclose()
    assert [type(e) for e in events] == [SpeechStarted]


def test_telephone_audio_becomes_16khz_floats_at_the_same_level() -> None:
    tone = (np.sin(2 * np.pi * 440 * np.arange(8000) / 8000) * 16000).astype(np.int16)
    audio = telephone_to_float(mulaw_encode(tone))
    assert audio.dtype == np.float32
    assert abs(len(audio) - 16000) <= 32
    assert 0.45 <= float(np.max(np.abs(audio))) <= 0.52  # 16000 / 32768, through mu-law


def test_pcm_samples_become_floats_in_minus_one_to_one() -> None:
    pcm = np.array([-32768, -16384, 0, 16384, 32767], dtype="<i2").tobytes()
    assert pcm16_to_float(pcm).tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0], abs=1e-4)


ENDPOINTING = EndpointingConfig(silence_ms=300)
