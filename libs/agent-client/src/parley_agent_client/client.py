"""The dialogue service's MCP client: one long-lived connection, many concurrent calls.

Every request has a deadline; a transient failure is retried once after a short pause;
credentials the agent refuses are never retried; and a circuit breaker stops Parley
from waiting on an agent that keeps failing, so callers hear the fallback at once.

A v2 tool (contract 2 in its `_meta`) streams its reply as progress notifications: the
deadline then holds for the first piece, and each further piece must follow within the
idle limit. A call that has streamed anything is never retried: that text may already
have been spoken. With `streaming=False` every tool is treated as v1 (one blocking
call, the whole reply at once): the v2 contract is a superset, so a v2 agent answers
it, and the blocking baseline stays measurable against a streaming agent.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from contextlib import AsyncExitStack

import httpx2
from mcp import Client
from mcp.types import CallToolResult
from parley_resilience import CircuitBreaker, CircuitOpenError

from parley_agent_client.contract import (
    CONTRACT_META_KEY,
    CONTRACT_V2,
    AgentReply,
    AgentRequest,
)
from parley_agent_client.errors import (
    AgentAuthError,
    AgentCircuitOpenError,
    AgentError,
    AgentProtocolError,
    AgentTimeoutError,
    AgentUnavailableError,
)
from parley_agent_client.hosted_session import HostedSession
from parley_agent_client.reply_parsing import parse_reply_delta, parse_tool_result
from parley_agent_client.stream import AgentStream
from parley_agent_client.transport import AuthFailureWatch, describe, open_transport

log = logging.getLogger(__name__)


class AgentClient:
    def __init__(
        self,
        endpoint: str,
        tool_name: str = "respond",
        timeout_s: float = 0.8,
        headers: Mapping[str, str] | None = None,
        retry_delay_s: float = 0.1,
        circuit: CircuitBreaker | None = None,
        stream_idle_s: float = 5.0,
        streaming: bool = True,
    ) -> None:
        self.endpoint = endpoint
        self.tool_name = tool_name
        self.timeout_s = timeout_s
        self.retry_delay_s = retry_delay_s
        self.stream_idle_s = stream_idle_s
        self.streaming = streaming
        self.circuit = circuit or CircuitBreaker(f"the agent at {describe(endpoint)}")
        self._headers = dict(headers or {})
        self._auth_watch = AuthFailureWatch()
        self._client: Client | None = None
        self._session: HostedSession | None = None
        self._connect_lock = asyncio.Lock()
        self._contract = 1
        self._told_of_ignored_progress = False

    async def start(self) -> None:
        """Connect and check the agent offers the tool; raises an AgentError subclass."""
        async with asyncio.timeout(max(self.timeout_s, 5.0)):
            await self._connected()

    @property
    def contract(self) -> int:
        """The contract version the tool declared when last connected (1 until then)."""
        return self._contract

    def stream(self, request: AgentRequest) -> AgentStream:
        """The reply as the agent writes it; enter it with `async with`. A v1 tool's
        stream has no deltas, only the reply. Errors are AgentError subclasses."""
        return AgentStream(lambda sink: self._call(request, sink))

    async def respond(self, request: AgentRequest) -> AgentReply:
        """Ask the agent for what to say; raises an AgentError subclass on failure."""
        async with self.stream(request) as stream:
            return await stream.final()

    async def _call(self, request: AgentRequest, sink: AgentStream) -> AgentReply:
        try:
            self.circuit.before_call()
        except CircuitOpenError as exc:
            raise AgentCircuitOpenError(str(exc)) from exc
        try:
            return await self._attempts(request, sink)
        except asyncio.CancelledError:
            self.circuit.abandon()
            raise

    async def _attempts(self, request: AgentRequest, sink: AgentStream) -> AgentReply:
        for attempt in (1, 2):
            try:
                reply = await self._ask_once(request, sink)
            except AgentUnavailableError as exc:
                retryable = not isinstance(exc, AgentTimeoutError) and not sink.received
                if attempt == 1 and retryable:
                    log.info(
                        "agent call failed; retrying once",
                        extra={"event": "agent.retry", "error": str(exc)},
                    )
                    await asyncio.sleep(self.retry_delay_s)
                    continue
                self.circuit.record_failure()
                raise
            except AgentError:
                self.circuit.record_failure()
                raise
            self.circuit.record_success()
            return reply
        raise AssertionError("unreachable")

    async def _ask_once(self, request: AgentRequest, sink: AgentStream) -> AgentReply:
        try:
            async with asyncio.timeout(self.timeout_s) as deadline:
                client = await self._connected()
                if self._contract < CONTRACT_V2:
                    result = await client.call_tool(self.tool_name, request.arguments())
                else:
                    result = await self._call_streaming(client, request, sink, deadline)
        except TimeoutError as exc:
            raise AgentTimeoutError(self._timeout_message(sink)) from exc
        except AgentError:
            raise
        except Exception as exc:
            await self._disconnect()
            raise self._classify(exc) from exc
        return parse_tool_result(result)

    async def _call_streaming(
        self, client: Client, request: AgentRequest, sink: AgentStream, deadline: asyncio.Timeout
    ) -> CallToolResult:
        """Each reply delta moves the deadline to the idle limit from now; the MCP
        client's own timeout is lifted (the deadline covers the call)."""
        loop = asyncio.get_running_loop()
        in_flight = True

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            text = parse_reply_delta(message)
            if text is None:
                sink.ignored += 1
                self._tell_of_ignored_progress(message)
            elif text and in_flight and not deadline.expired():
                sink.delta(text)
                deadline.reschedule(loop.time() + self.stream_idle_s)

        try:
            return await client.call_tool(
                self.tool_name,
                request.arguments(CONTRACT_V2),
                read_timeout_seconds=math.inf,
                progress_callback=on_progress,
            )
        finally:
            in_flight = False  # a piece arriving after the result is in the result

    def _tell_of_ignored_progress(self, message: str | None) -> None:
        """Once per client: an agent that reports other progress does so on every call."""
        if not self._told_of_ignored_progress:
            self._told_of_ignored_progress = True
            log.info(
                "agent sent progress that is not a reply delta; ignoring such messages",
                extra={
                    "event": "agent.progress_ignored",
                    "endpoint": describe(self.endpoint),
                    "message_chars": len(message or ""),
                },
            )

    def _timeout_message(self, sink: AgentStream) -> str:
        if sink.received:
            return (
                f"{describe(self.endpoint)} stopped streaming its reply for "
                f"{self.stream_idle_s:.2f} s; the reply was cut there"
            )
        return f"{describe(self.endpoint)} did not answer within {self.timeout_s:.2f} s"

    def _classify(self, exc: BaseException) -> AgentError:
        refused, self._auth_watch.refused_status = self._auth_watch.refused_status, None
        if refused is not None:
            return AgentAuthError(
                f"{describe(self.endpoint)} refused Parley's credentials (HTTP {refused}); "
                "check PARLEY_AGENT_TOKEN / PARLEY_AGENT_API_KEY"
            )
        return AgentUnavailableError(
            f"cannot reach {describe(self.endpoint)}: {exc or type(exc).__name__}"
        )

    async def _connected(self) -> Client:
        async with self._connect_lock:
            if self._client is not None and self._session is not None:
                if self._session.running:
                    return self._client
                await self._session.close()  # the agent went away while idle
            session = HostedSession(self._open_session)
            try:
                client = await session.open()
            except AgentError:
                raise
            except Exception as exc:
                raise self._classify(exc) from exc
            self._client, self._session = client, session
            log.info(
                "connected to agent",
                extra={
                    "event": "agent.connected",
                    "endpoint": describe(self.endpoint),
                    "contract": self._contract,
                },
            )
            return client

    async def _open_session(self, stack: AsyncExitStack) -> Client:
        """Run inside the session's own task (see HostedSession)."""
        # A stream may pause up to the idle limit between pieces: reads must wait that long.
        timeouts = httpx2.Timeout(self.timeout_s, read=self.timeout_s + self.stream_idle_s)
        transport = await open_transport(
            stack, self.endpoint, self._headers, timeouts, self._auth_watch
        )
        client = await stack.enter_async_context(
            Client(transport, read_timeout_seconds=self.timeout_s)
        )
        tools = await client.list_tools()
        tool = next((t for t in tools.tools if t.name == self.tool_name), None)
        if tool is None:
            raise AgentProtocolError(
                f"{describe(self.endpoint)} has no tool {self.tool_name!r} "
                f"(it offers {[t.name for t in tools.tools]}); set PARLEY_DIALOGUE_AGENT_TOOL"
            )
        declared = (tool.meta or {}).get(CONTRACT_META_KEY)
        self._contract = CONTRACT_V2 if self.streaming and declared == CONTRACT_V2 else 1
        return client

    async def _disconnect(self) -> None:
        async with self._connect_lock:
            session, self._client, self._session = self._session, None, None
        if session is not None:
            await session.close()

    async def close(self) -> None:
        await self._disconnect()

    async def __aenter__(self) -> AgentClient:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
