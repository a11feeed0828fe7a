"""The stt worker: caller audio in, transcripts out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from faststream.kafka import KafkaMessage
from parley_bus import (
    BusPublisher,
    build_broker,
    decode_or_skip,
    group_subscriber,
    kafka_readiness,
    running_broker,
)
from parley_contracts import AUDIO_IN, CALL_EVENTS, call_event_decoder
from parley_runtime import EngineWarmup, Readiness, build_service_app
from parley_speech import EndpointingConfig, FailoverRecognizer, SpeechRecognizer
from parley_speech.provider_choice import ProviderChoice
from parley_speech.providers import RECOGNIZERS

from parley_stt.session_gate import SessionGate
from parley_stt.settings import SttSettings
from parley_stt.worker import SpeechToTextWorker


def recognizer_choice(settings: SttSettings) -> ProviderChoice[SpeechRecognizer]:
    def failover(primary: SpeechRecognizer, secondary: SpeechRecognizer) -> SpeechRecognizer:
        return FailoverRecognizer(
            primary, secondary, settings.provider_breaker("stt", primary.name)
        )

    return ProviderChoice(
        "stt", settings.provider, RECOGNIZERS, failover, settings.fallback_provider
    )


def create_app(settings: SttSettings | None = None) -> FastAPI:
    settings = settings or SttSettings()
    broker = build_broker(settings.kafka_connection(), client_id="parley-stt")
    endpointing = EndpointingConfig(
        min_speech_ms=settings.min_speech_ms,
        silence_ms=settings.silence_ms,
        interim_interval_ms=settings.interim_interval_ms,
        pause_ms=settings.pause_ms,
    )
    recognizers = recognizer_choice(settings)
    # Audio is recognised only for live calls; the in-memory store is private to one
    # process, so with it there is nobody to ask.
    store = None if settings.session_store == "memory" else settings.open_session_store()
    worker = SpeechToTextWorker(
        recognizers,
        BusPublisher(broker),
        endpointing,
        settings.frame_age_limits(),
        gate=SessionGate(store),
    )
    # Audio and lifecycle share one co-partitioned subscription: a call's hang-up
    # reaches the same worker that holds its recogniser.
    subscriber = group_subscriber(broker, settings.consumer_group, AUDIO_IN, CALL_EVENTS)

    @subscriber
    async def on_message(body: bytes, message: KafkaMessage) -> None:
        topic = getattr(message.raw_message, "topic", "")
        if topic == AUDIO_IN.name:
            await worker.on_audio(body, message.headers)
            return
        await worker.on_call_event(decode_or_skip(call_event_decoder, message))

    async def open_and_close_a_stream() -> None:
        stream = await recognizers.get().open(endpointing)
        await stream.close()

    # Loading a decoder (or connecting to a provider) takes a while; do it before the
    # first caller speaks. A provider that cannot be reached keeps the worker unready.
    warmup = EngineWarmup("speech recogniser", open_and_close_a_stream)
    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))
    readiness.add("engine", warmup.check)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warmup.start()
        try:
            if store is not None:
                await store.check_access()
            async with running_broker(broker, [subscriber]):
                yield
        finally:
            await warmup.stop()
            await worker.shutdown()
            if store is not None:
                await store.close_store()

    return build_service_app("stt", readiness, lifespan)
