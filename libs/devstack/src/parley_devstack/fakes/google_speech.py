"""A local Google Cloud Speech-to-Text v1 and Text-to-Speech v1 server for tests: real
gRPC on loopback, the messages of Google's own client libraries, scripted transcripts
timed from the real audio, and cues that make it fail the way Google fails.

    python -m parley_devstack.fakes.google_speech --port 50071 --script "hello there"

Point the provider at it with ``PARLEY_GOOGLE_SPEECH_ENDPOINT`` and
``PARLEY_GOOGLE_TTS_ENDPOINT`` (``127.0.0.1:<port>``; plaintext, no credentials).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeAlias

import grpc
from google.cloud.speech_v1 import (
    RecognitionConfig,
    StreamingRecognizeRequest,
    StreamingRecognizeResponse,
)
from google.cloud.texttospeech_v1 import (
    AudioEncoding,
    ListVoicesRequest,
    ListVoicesResponse,
    SsmlVoiceGender,
    SynthesizeSpeechRequest,
    SynthesizeSpeechResponse,
    Voice,
)
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from parley_devstack.fakes.caller_script import CallerScript
from parley_devstack.fakes.google_audio import FakeVoice
from parley_devstack.fakes.google_listener import ListeningConfig, ScriptedListener

log = logging.getLogger(__name__)

VOICES = ("en-US-Standard-C", "en-US-Neural2-F", "en-US-Neural2-D", "en-GB-Neural2-A")
_Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"


@dataclass
class Cues:
    """What the next calls should suffer; tests set these directly."""

    reject_auth: bool = False
    """Refuse every call with UNAUTHENTICATED."""
    rate_limit_next: int = 0
    """Refuse this many calls with RESOURCE_EXHAUSTED (with a RetryInfo of ``retry_after_s``)."""
    retry_after_s: float | None = 0.2
    fail_next: int = 0
    """Refuse this many calls with UNAVAILABLE."""
    drop_mid_utterance: int = 0
    """Reset this many streams with UNAVAILABLE ``drop_after_ms`` into an utterance's speech."""
    drop_after_ms: int = 500
    tts_delay_s: float = 0.0
    """Think this long before answering a synthesis (to cancel one in flight)."""


@dataclass
class Record:
    """What the fake saw, for tests to check."""

    streams: int = 0
    configs: list[RecognitionConfig] = field(default_factory=list)
    stream_audio_ms: list[int] = field(default_factory=list)
    syntheses: list[SynthesizeSpeechRequest] = field(default_factory=list)
    syntheses_cancelled: int = 0
    voice_lists: int = 0


class FakeGoogleSpeech:
    def __init__(
        self,
        script: Iterable[str] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_stream_s: float = 305.0,
        listening: ListeningConfig | None = None,
        voice: FakeVoice | None = None,
    ) -> None:
        """``voice``: share one loaded piper voice between fakes (the caller closes it)."""
        self.script = CallerScript(script)
        self.cues = Cues()
        self.seen = Record()
        self.max_stream_s = max_stream_s
        self._listening = listening or ListeningConfig()
        self._host, self._port = host, port
        self._owns_voice = voice is None
        self._voice = voice or FakeVoice()
        self._server: grpc.aio.Server | None = None

    @property
    def endpoint(self) -> str:
        return f"{self._host}:{self._port}"

    async def start(self) -> FakeGoogleSpeech:
        server = grpc.aio.server()
        server.add_generic_rpc_handlers(self._services())
        self._port = server.add_insecure_port(f"{self._host}:{self._port}")
        await server.start()
        self._server = server
        return self

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(grace=0)
            self._server = None
        if self._owns_voice:
            self._voice.close()

    async def __aenter__(self) -> FakeGoogleSpeech:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def _services(self) -> tuple[grpc.GenericRpcHandler, ...]:
        speech = {
            "StreamingRecognize": _method(
                grpc.stream_stream_rpc_method_handler,
                self._streaming_recognize,
                StreamingRecognizeRequest,
                StreamingRecognizeResponse,
            )
        }
        tts = {
            "SynthesizeSpeech": _method(
                grpc.unary_unary_rpc_method_handler,
                self._synthesize_speech,
                SynthesizeSpeechRequest,
                SynthesizeSpeechResponse,
            ),
            "ListVoices": _method(
                grpc.unary_unary_rpc_method_handler,
                self._list_voices,
                ListVoicesRequest,
                ListVoicesResponse,
            ),
        }
        return (
            grpc.method_handlers_generic_handler("google.cloud.speech.v1.Speech", speech),
            grpc.method_handlers_generic_handler("google.cloud.texttospeech.v1.TextToSpeech", tts),
        )

    async def _refuse_if_cued(self, context: _Context) -> None:
        cues = self.cues
        if cues.reject_auth:
            await context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            )
        if cues.rate_limit_next > 0:
            cues.rate_limit_next -= 1
            await _abort_rate_limited(context, cues.retry_after_s)
        if cues.fail_next > 0:
            cues.fail_next -= 1
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable."
            )

    async def _streaming_recognize(
        self, requests: AsyncIterator[StreamingRecognizeRequest], context: _Context
    ) -> AsyncIterator[StreamingRecognizeResponse]:
        self.seen.streams += 1
        await self._refuse_if_cued(context)
        await context.send_initial_metadata(())
        first = await anext(requests, None)
        if first is None or "streaming_config" not in first:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "first request needs a config")
            return
        listener = self._listener(first.streaming_config)
        self.seen.configs.append(first.streaming_config.config)
        self.seen.stream_audio_ms.append(0)
        await _check_config(first.streaming_config.config, context)
        async for request in requests:
            if "streaming_config" in request:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "config sent twice")
            for response in listener.feed(request.audio_content):
                yield response
            self.seen.stream_audio_ms[-1] = listener.audio_ms
            await self._interrupt_if_due(listener, context)
        for response in listener.finish():
            yield response

    def _listener(self, streaming: Any) -> ScriptedListener:
        config = ListeningConfig(
            silence_ms=self._listening.silence_ms,
            min_speech_ms=self._listening.min_speech_ms,
            interim_every_ms=self._listening.interim_every_ms,
            voice_events=bool(streaming.enable_voice_activity_events),
            interim_results=bool(streaming.interim_results),
        )
        return ScriptedListener(self.script, config)

    async def _interrupt_if_due(self, listener: ScriptedListener, context: _Context) -> None:
        if listener.audio_ms >= self.max_stream_s * 1000:
            await context.abort(
                grpc.StatusCode.OUT_OF_RANGE,
                f"Exceeded maximum allowed stream duration of {self.max_stream_s:g} seconds.",
            )
        cues = self.cues
        if (
            cues.drop_mid_utterance > 0
            and listener.in_utterance
            and listener.utterance_speech_ms >= cues.drop_after_ms
        ):
            cues.drop_mid_utterance -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "Stream removed")

    async def _synthesize_speech(
        self, request: SynthesizeSpeechRequest, context: _Context
    ) -> SynthesizeSpeechResponse:
        self.seen.syntheses.append(request)
        await self._refuse_if_cued(context)
        if request.voice.name and request.voice.name not in VOICES:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"Voice '{request.voice.name}' does not exist."
            )
        audio = request.audio_config
        if audio.audio_encoding != AudioEncoding.MULAW or audio.sample_rate_hertz not in (0, 8000):
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "the fake speaks MULAW at 8000 Hz"
            )
        try:
            await asyncio.sleep(self.cues.tts_delay_s)
            loop = asyncio.get_running_loop()
            wav = await loop.run_in_executor(
                self._voice.executor, self._voice.speak, request.input.text
            )
        except asyncio.CancelledError:
            self.seen.syntheses_cancelled += 1
            raise
        return SynthesizeSpeechResponse(audio_content=wav)

    async def _list_voices(
        self, request: ListVoicesRequest, context: _Context
    ) -> ListVoicesResponse:
        self.seen.voice_lists += 1
        await self._refuse_if_cued(context)
        voices = [
            Voice(
                name=name,
                language_codes=[name[:5]],
                ssml_gender=SsmlVoiceGender.FEMALE,
                natural_sample_rate_hertz=24000,
            )
            for name in VOICES
            if not request.language_code or name.startswith(request.language_code)
        ]
        return ListVoicesResponse(voices=voices)


def _method(kind: Any, handler: Any, request: Any, response: Any) -> grpc.RpcMethodHandler:
    """A handler on the proto-plus classes' own (de)serialisers: no generated stubs needed."""
    handler_with_codec: grpc.RpcMethodHandler = kind(
        handler, request_deserializer=request.deserialize, response_serializer=response.serialize
    )
    return handler_with_codec


async def _check_config(config: RecognitionConfig, context: _Context) -> None:
    if config.encoding != RecognitionConfig.AudioEncoding.MULAW or config.sample_rate_hertz != 8000:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "the fake hears MULAW at 8000 Hz")


async def _abort_rate_limited(context: _Context, retry_after_s: float | None) -> None:
    message = (
        "Quota exceeded for quota metric 'Streaming requests' of service speech.googleapis.com"
    )
    status = status_pb2.Status(code=grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], message=message)
    if retry_after_s is not None:
        delay = duration_pb2.Duration()
        delay.FromTimedelta(timedelta(seconds=retry_after_s))
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        status.details.append(detail)
    await context.abort(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        message,
        trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),),
    )


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeGoogleSpeech(
        args.script,
        host=args.host,
        port=args.port,
        max_stream_s=args.max_stream_s,
        listening=ListeningConfig(silence_ms=args.silence_ms),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with fake:
        print(f"fake Google Speech/TTS listening on {fake.endpoint}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=50071)
    parser.add_argument("--script", action="append", default=[], help="a line the caller says")
    parser.add_argument("--max-stream-s", type=float, default=305.0)
    parser.add_argument("--silence-ms", type=int, default=600)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
