"""A local Amazon Transcribe streaming endpoint on 127.0.0.1, speaking the protocol the
``amazon-transcribe`` SDK speaks: ``POST /stream-transcription`` over HTTP/2 with TLS,
signed ``AudioEvent`` messages in, ``TranscriptEvent`` messages (or an exception event)
out, both in event-stream framing, while the request is still streaming.

The SDK's HTTP client has no cleartext HTTP/2, so the fake makes a throwaway CA and a
certificate for 127.0.0.1 when it starts; point the client at ``ca_file``.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Self

from parley_devstack.certificates import ServerCertificate, make_server_certificate
from parley_devstack.fakes.aws_transcribe import eventstream
from parley_devstack.fakes.aws_transcribe.controls import StreamRecord, TranscribeFakeControls
from parley_devstack.fakes.aws_transcribe.http2 import (
    Http2Request,
    Http2Server,
    StreamGone,
    server_tls,
)
from parley_devstack.fakes.aws_transcribe.listener import Result, TranscribeListener
from parley_devstack.fakes.aws_transcribe.request_checks import (
    Refusal,
    StreamOptions,
    check_request,
)
from parley_devstack.fakes.serving import LoopbackFake

EVENT_STREAM = "application/vnd.amazon.eventstream"
IDLE_MESSAGE = "Your request timed out because no new audio was received for {seconds:g} seconds."


def transcript_event(results: list[Result]) -> bytes:
    headers: dict[str, eventstream.HeaderValue] = {
        ":message-type": "event",
        ":event-type": "TranscriptEvent",
        ":content-type": "application/json",
    }
    payload = json.dumps({"Transcript": {"Results": results}}).encode()
    return eventstream.encode(eventstream.Message(headers, payload))


def exception_event(error_type: str, message: str) -> bytes:
    headers: dict[str, eventstream.HeaderValue] = {
        ":message-type": "exception",
        ":exception-type": error_type,
        ":content-type": "application/json",
    }
    payload = json.dumps({"Message": message}).encode()
    return eventstream.encode(eventstream.Message(headers, payload))


class _StreamEnded(Exception):
    """The stream is over: ``exception`` says with which error, if any."""

    def __init__(self, exception: tuple[str, str] | None = None) -> None:
        super().__init__(exception)
        self.exception = exception


def _audio(message: eventstream.Message) -> bytes | None:
    """The audio of one signed outer message; None for the empty one that ends it."""
    signature = message.headers.get(":chunk-signature")
    if not isinstance(message.headers.get(":date"), datetime.datetime) or not (
        isinstance(signature, bytes) and len(signature) == 32
    ):
        raise _StreamEnded(("BadRequestException", "The event is not signed."))
    if not message.payload:
        return None
    inner = eventstream.decode(message.payload)
    kind = (inner.headers.get(":message-type"), inner.headers.get(":event-type"))
    if kind != ("event", "AudioEvent"):
        raise _StreamEnded(("BadRequestException", f"Unexpected event: {kind[1]!r}"))
    return inner.payload


class FakeAwsTranscribe(LoopbackFake):
    def __init__(
        self,
        controls: TranscribeFakeControls | None = None,
        port: int = 0,
        certificate_dir: Path | None = None,
    ) -> None:
        self.controls = controls or TranscribeFakeControls()
        self._port = port
        self._given_dir = certificate_dir
        self._made_dir: Path | None = None
        self._server: Http2Server | None = None
        self.certificate: ServerCertificate | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        assert self.certificate is not None, "start the fake first"
        return self.certificate.ca_file

    async def start(self) -> Self:
        if self._given_dir is None:
            self._made_dir = Path(tempfile.mkdtemp(prefix="fake-aws-transcribe-"))
            self.certificate = make_server_certificate(self._made_dir)
        else:
            # A kept folder keeps its CA, so clients already trusting it go on doing so.
            kept = ServerCertificate.in_directory(self._given_dir)
            self.certificate = kept if kept.exists() else make_server_certificate(self._given_dir)
        self._server = Http2Server(
            self._handle, server_tls(self.certificate.keystore_file), self._port
        )
        await self._server.start()
        self.port = self._server.port
        return self

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if self._made_dir is not None:
            shutil.rmtree(self._made_dir, ignore_errors=True)
            self._made_dir = None

    async def _handle(self, request: Http2Request) -> None:
        controls = self.controls
        record = StreamRecord(dict(request.headers))
        controls.streams.append(record)
        checked = check_request(request.method, request.path, request.headers, controls)
        if isinstance(checked, StreamOptions) and (fault := controls.faults.refusal()):
            checked = Refusal(fault[0], fault[1], "The fake was told to refuse this stream.")
        if isinstance(checked, Refusal):
            record.status = checked.status
            await self._refuse(request, checked)
            return
        headers = [(k, v) for k, v in request.headers.items() if k.startswith("x-amzn-transcribe-")]
        session = request.headers.get("x-amzn-transcribe-session-id", str(uuid.uuid4()))
        await request.respond(
            200,
            [
                ("content-type", EVENT_STREAM),
                ("x-amzn-request-id", str(uuid.uuid4())),
                *[(k, v) for k, v in headers if k != "x-amzn-transcribe-session-id"],
                ("x-amzn-transcribe-session-id", session),
            ],
        )
        try:
            await self._transcribe(request, checked, record)
        except StreamGone:
            record.disconnected = True
            raise
        except _StreamEnded as ended:
            if ended.exception is not None:
                record.exception = ended.exception[0]
                await request.send(exception_event(*ended.exception))
        await request.send(b"", end=True)

    async def _refuse(self, request: Http2Request, refusal: Refusal) -> None:
        body = json.dumps({"Message": refusal.message}).encode()
        await request.respond(
            refusal.status,
            [
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amzn-requestid", str(uuid.uuid4())),
                ("x-amzn-errortype", f"{refusal.error_type}:http://internal.amazon.com/coral/"),
                ("content-length", str(len(body))),
            ],
        )
        await request.send(body, end=True)

    async def _transcribe(
        self, request: Http2Request, options: StreamOptions, record: StreamRecord
    ) -> None:
        controls = self.controls
        listener = TranscribeListener(controls.script, controls.listening, options.stabilise)
        failure = controls.faults.take_failure()
        drop_after_ms = controls.faults.take_drop()
        decoder = eventstream.MessageDecoder()
        async for chunk in self._with_idle_timeout(request.body()):
            try:
                messages = decoder.feed(chunk)
                audio = [_audio(message) for message in messages]
            except eventstream.FramingError as exc:
                raise _StreamEnded(("SerializationException", str(exc))) from exc
            for pcm in audio:
                if pcm is None:
                    record.ended_by_client = True
                    break
                record.audio_events += 1
                record.audio_bytes += len(pcm)
                if results := listener.feed(pcm):
                    await request.send(transcript_event(results))
            if record.ended_by_client:
                break
            if failure is not None and listener.audio_ms >= failure[1]:
                raise _StreamEnded((failure[0], "The fake was told to fail this stream."))
            if drop_after_ms is not None and listener.audio_ms >= drop_after_ms:
                record.dropped = True
                request.drop_connection()
                raise _StreamEnded()
        if results := listener.finish():
            await request.send(transcript_event(results))

    async def _with_idle_timeout(self, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """The body, ending the stream as Transcribe does when audio stops coming."""
        timeout = self.controls.idle_timeout_s
        while True:
            try:
                chunk = await asyncio.wait_for(anext(body), timeout)
            except StopAsyncIteration:
                return
            except TimeoutError as exc:
                message = IDLE_MESSAGE.format(seconds=timeout)
                raise _StreamEnded(("BadRequestException", message)) from exc
            yield chunk
