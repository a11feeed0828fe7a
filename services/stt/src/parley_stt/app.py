"""The stt worker: caller audio in, transcripts out."""

from __future__ import annotations

import asyncio
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
from parley_speech import EndpointingConfig, PocketsphinxRecognizerFactory

from parley_stt.settings import SttSettings
from parley_stt.worker import SpeechToTextWorker


def create_app(settings: SttSettings | None = None) -> FastAPI:
    settings = settings or SttSettings()
    broker = build_broker(settings.kafka_bootstrap_servers, client_id="parley-stt")
    factory = PocketsphinxRecognizerFactory(
        EndpointingConfig(
            min_speech_ms=settings.min_speech_ms,
            silence_ms=settings.silence_ms,
            interim_interval_ms=settings.interim_interval_ms,
        )
    )
    worker = SpeechToTextWorker(factory, BusPublisher(broker), settings.max_frame_age_ms)
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

    # Loading a decoder takes about a second; do it before the first caller speaks.
    warmup = EngineWarmup(
        "speech recogniser", lambda: asyncio.to_thread(lambda: factory.create().close())
    )
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

    return build_service_app("stt", readiness, lifespan)
