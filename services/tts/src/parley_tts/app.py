"""The tts worker: reply sentences in, agent audio frames out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from parley_bus import BusPublisher, build_broker, event_decoder, group_subscriber, kafka_readiness
from parley_contracts import REPLIES, ReplyEvent, reply_event_decoder
from parley_runtime import Readiness, build_service_app
from parley_speech import PiperSynthesizer

from parley_tts.settings import TtsSettings
from parley_tts.worker import TextToSpeechWorker


def create_app(settings: TtsSettings | None = None) -> FastAPI:
    settings = settings or TtsSettings()
    broker = build_broker(settings.kafka_bootstrap_servers, client_id="parley-tts")
    synthesizer = PiperSynthesizer(settings.voice_model, speed=settings.speed)
    worker = TextToSpeechWorker(synthesizer, BusPublisher(broker))
    subscriber = group_subscriber(broker, settings.consumer_group, REPLIES)

    @subscriber(decoder=event_decoder(reply_event_decoder))
    async def on_reply(event: ReplyEvent | None) -> None:
        await worker.on_reply(event)

    readiness = Readiness()
    readiness.add("kafka", kafka_readiness(broker, [subscriber]))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        try:
            yield
        finally:
            await broker.stop()
            worker.shutdown()

    return build_service_app("tts", readiness, lifespan)
