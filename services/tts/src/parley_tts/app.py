"""The tts worker: reply sentences in, agent audio frames out."""

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
from parley_contracts import REPLIES, reply_event_decoder
from parley_runtime import EngineWarmup, Readiness, build_service_app
from parley_speech import (
    LOCAL_PROVIDER,
    FailoverSynthesizer,
    LocalSynthesizer,
    PiperSynthesizer,
    SpeechSynthesizer,
)
from parley_speech.provider_choice import ProviderChoice
from parley_speech.providers import SYNTHESIZERS
from parley_telemetry import traced_job

from parley_tts.settings import TtsSettings
from parley_tts.worker import TextToSpeechWorker


def synthesizer_choice(settings: TtsSettings) -> ProviderChoice[SpeechSynthesizer]:
    def local() -> SpeechSynthesizer:
        return LocalSynthesizer(PiperSynthesizer(settings.voice_model))

    def failover(primary: SpeechSynthesizer, secondary: SpeechSynthesizer) -> SpeechSynthesizer:
        breaker = settings.provider_breaker("tts", primary.name)
        return FailoverSynthesizer(primary, secondary, breaker)

    builders = {**SYNTHESIZERS, LOCAL_PROVIDER: local}
    return ProviderChoice("tts", settings.provider, builders, failover, settings.fallback_provider)


def create_app(settings: TtsSettings | None = None) -> FastAPI:
    settings = settings or TtsSettings()
    broker = build_broker(settings.kafka_connection(), client_id="parley-tts")
    worker = TextToSpeechWorker(
        synthesizer_choice(settings),
        BusPublisher(broker),
        settings.voice,
        settings.speed,
        limits=settings.text_limits(),
    )
    subscriber = group_subscriber(broker, settings.consumer_group, REPLIES)

    @subscriber
    async def on_reply(body: bytes, message: KafkaMessage) -> None:
        event = decode_or_skip(reply_event_decoder, message)
        await traced_job(message.headers, lambda: worker.on_reply(event))()

    # The synthesiser's first run is several times slower than the next ones.
    warmup = EngineWarmup("speech synthesiser", worker.warm_up)
    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))
    readiness.add("engine", warmup.check)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warmup.start()
        try:
            async with running_broker(broker, [subscriber]):
                yield
        finally:
            await warmup.stop()
            await worker.shutdown()

    return build_service_app("tts", readiness, lifespan)
