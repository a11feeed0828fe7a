"""HTTP/2 over TLS on 127.0.0.1, full duplex, for fakes of services that need it.

Transcribe's SDK insists on HTTP/2 (negotiated by ALPN; the CRT client has no cleartext
mode) and streams its request body while it reads the response, which aiohttp cannot
serve. This is the ``h2`` state machine over an asyncio TLS server: each request is an
``Http2Request`` handed to the fake's handler as soon as its headers arrive, with the
body as an async iterator and the response sent in pieces, flow control respected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

log = logging.getLogger(__name__)

READ_BYTES = 65_536


class StreamGone(Exception):
    """The client reset the stream or the connection closed under it."""


def server_tls(keystore: Path) -> ssl.SSLContext:
    """TLS 1.2+ offering only ``h2`` (HTTP/2 forbids older versions)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(keystore)
    context.set_alpn_protocols(["h2"])
    return context


class Http2Request:
    """One request stream: its headers, its body as it arrives, and its response."""

    def __init__(
        self, connection: Http2Connection, stream_id: int, headers: dict[str, str]
    ) -> None:
        self.headers = headers
        self._connection = connection
        self._stream_id = stream_id
        self._body: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.reset = False

    @property
    def method(self) -> str:
        return self.headers.get(":method", "")

    @property
    def path(self) -> str:
        return self.headers.get(":path", "")

    async def body(self) -> AsyncIterator[bytes]:
        """Chunks until the client ends the stream; raises ``StreamGone`` if it resets it."""
        while (chunk := await self._body.get()) is not None:
            yield chunk
        if self.reset:
            raise StreamGone("the client reset the stream")

    async def respond(self, status: int, headers: list[tuple[str, str]], end: bool = False) -> None:
        await self._connection.send_headers(
            self._stream_id, [(":status", str(status)), *headers], end
        )

    async def send(self, data: bytes, end: bool = False) -> None:
        await self._connection.send_data(self._stream_id, data, end)

    def drop_connection(self) -> None:
        """Cut the TCP connection with no goodbye, as a network failure would."""
        self._connection.abort()

    def _arrived(self, chunk: bytes | None) -> None:
        self._body.put_nowait(chunk)

    def _gone(self) -> None:
        self.reset = True
        self._body.put_nowait(None)


Handler = Callable[[Http2Request], Awaitable[None]]


class Http2Connection:
    """One client connection: reads frames, starts a handler per request, writes replies."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._handler = handler
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self._h2 = h2.connection.H2Connection(config=config)
        self._requests: dict[int, Http2Request] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._window = asyncio.Condition()
        self._closed = False

    async def serve(self) -> None:
        self._h2.initiate_connection()
        try:
            await self._flush()
            while data := await self._reader.read(READ_BYTES):
                try:
                    events = self._h2.receive_data(data)
                except h2.exceptions.ProtocolError as exc:
                    log.warning("http/2 protocol error", extra={"event": "fake.h2_error"})
                    self._closed = True
                    await self._flush()
                    raise ConnectionError(str(exc)) from exc
                for event in events:
                    await self._on_event(event)
                await self._flush()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            await self._close()

    async def _on_event(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived) and event.stream_id is not None:
            headers = {str(k): str(v) for k, v in event.headers or []}
            request = self._requests[event.stream_id] = Http2Request(self, event.stream_id, headers)
            task = asyncio.create_task(self._handle(request))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif isinstance(event, h2.events.DataReceived) and event.stream_id is not None:
            self._h2.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
            if (receiving := self._requests.get(event.stream_id)) is not None:
                receiving._arrived(event.data or b"")
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id is not None:
            if (ended := self._requests.get(event.stream_id)) is not None:
                ended._arrived(None)
        elif isinstance(event, h2.events.StreamReset) and event.stream_id is not None:
            if (reset := self._requests.pop(event.stream_id, None)) is not None:
                reset._gone()
        elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
            async with self._window:
                self._window.notify_all()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._closed = True

    async def _handle(self, request: Http2Request) -> None:
        try:
            await self._handler(request)
        except StreamGone:
            pass
        except Exception:
            log.exception("fake request handler failed", extra={"event": "fake.h2_handler"})
            with contextlib.suppress(StreamGone, h2.exceptions.H2Error):
                self._h2.reset_stream(request._stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
                await self._flush()

    async def send_headers(self, stream_id: int, headers: list[tuple[str, str]], end: bool) -> None:
        self._check(stream_id)
        try:
            self._h2.send_headers(stream_id, headers, end_stream=end)
        except h2.exceptions.H2Error as exc:
            raise StreamGone(str(exc)) from exc
        if end:
            self._requests.pop(stream_id, None)
        await self._flush()

    async def send_data(self, stream_id: int, data: bytes, end: bool) -> None:
        while True:
            self._check(stream_id)
            try:
                room = min(
                    self._h2.local_flow_control_window(stream_id), self._h2.max_outbound_frame_size
                )
                if room <= 0 and data:
                    async with self._window:
                        await self._window.wait()
                    continue
                piece, data = data[:room], data[room:]
                self._h2.send_data(stream_id, piece, end_stream=end and not data)
            except h2.exceptions.H2Error as exc:
                raise StreamGone(str(exc)) from exc
            if end and not data:
                self._requests.pop(stream_id, None)
            await self._flush()
            if not data:
                return

    def _check(self, stream_id: int) -> None:
        if self._closed or stream_id not in self._requests:
            raise StreamGone("the stream is closed")

    async def _flush(self) -> None:
        if pending := self._h2.data_to_send():
            try:
                self._writer.write(pending)
                await self._writer.drain()
            except (ConnectionError, RuntimeError) as exc:
                self._closed = True
                raise StreamGone("the connection closed") from exc

    def abort(self) -> None:
        self._closed = True
        self._writer.transport.abort()

    async def _close(self) -> None:
        self._closed = True
        for request in self._requests.values():
            request._gone()
        self._requests.clear()
        async with self._window:
            self._window.notify_all()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._writer.transport.abort()


class Http2Server:
    """Serves ``handler`` over TLS on 127.0.0.1 (a free port unless one is given)."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext, port: int = 0) -> None:
        self._handler = handler
        self._tls = tls
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: dict[Http2Connection, asyncio.Event] = {}
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self._port, ssl=self._tls
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Http2Connection(reader, writer, self._handler)
        done = self._connections[connection] = asyncio.Event()
        try:
            await connection.serve()
        finally:
            done.set()
            del self._connections[connection]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        waits = [done.wait() for done in self._connections.values()]
        for connection in list(self._connections):
            connection.abort()
        await asyncio.gather(*waits)
        await self._server.wait_closed()
        self._server = None
