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
from parley_speech import PiperSynthesizer
from parley_telemetry import traced_job

from parley_tts.settings import TtsSettings
from parley_tts.worker import TextToSpeechWorker


def create_app(settings: TtsSettings | None = None) -> FastAPI:
    settings = settings or TtsSettings()
    broker = build_broker(settings.kafka_bootstrap_servers, client_id="parley-tts")
    synthesizer = PiperSynthesizer(settings.voice_model, speed=settings.speed)
    worker = TextToSpeechWorker(synthesizer, BusPublisher(broker))
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
            worker.shutdown()

    return build_service_app("tts", readiness, lifespan)
