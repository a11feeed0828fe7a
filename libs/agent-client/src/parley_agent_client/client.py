"""The dialogue service's MCP client: one long-lived connection, many concurrent calls.

Every request has a deadline; a transient failure is retried once after a short pause;
credentials the agent refuses are never retried; and a circuit breaker stops Parley
from waiting on an agent that keeps failing, so callers hear the fallback at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack

from mcp import Client
from parley_resilience import CircuitBreaker, CircuitOpenError

from parley_agent_client.contract import AgentReply, AgentRequest
from parley_agent_client.errors import (
    AgentAuthError,
    AgentCircuitOpenError,
    AgentError,
    AgentProtocolError,
    AgentTimeoutError,
    AgentUnavailableError,
)
from parley_agent_client.hosted_session import HostedSession
from parley_agent_client.reply_parsing import parse_tool_result
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
    ) -> None:
        self.endpoint = endpoint
        self.tool_name = tool_name
        self.timeout_s = timeout_s
        self.retry_delay_s = retry_delay_s
        self.circuit = circuit or CircuitBreaker(f"the agent at {describe(endpoint)}")
        self._headers = dict(headers or {})
        self._auth_watch = AuthFailureWatch()
        self._client: Client | None = None
        self._session: HostedSession | None = None
        self._connect_lock = asyncio.Lock()

    async def start(self) -> None:
        """Connect and check the agent offers the tool; raises an AgentError subclass."""
        async with asyncio.timeout(max(self.timeout_s, 5.0)):
            await self._connected()

    async def respond(self, request: AgentRequest) -> AgentReply:
        """Ask the agent for what to say; raises an AgentError subclass on failure."""
        try:
            self.circuit.before_call()
        except CircuitOpenError as exc:
            raise AgentCircuitOpenError(str(exc)) from exc
        for attempt in (1, 2):
            try:
                reply = await self._ask_once(request)
            except AgentUnavailableError as exc:
                if attempt == 1 and not isinstance(exc, AgentTimeoutError):
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

    async def _ask_once(self, request: AgentRequest) -> AgentReply:
        try:
            async with asyncio.timeout(self.timeout_s):
                client = await self._connected()
                result = await client.call_tool(self.tool_name, request.arguments())
        except TimeoutError as exc:
            raise AgentTimeoutError(
                f"{describe(self.endpoint)} did not answer within {self.timeout_s:.2f} s"
            ) from exc
        except AgentError:
            raise
        except Exception as exc:
            await self._disconnect()
            raise self._classify(exc) from exc
        return parse_tool_result(result)

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
                extra={"event": "agent.connected", "endpoint": describe(self.endpoint)},
            )
            return client

    async def _open_session(self, stack: AsyncExitStack) -> Client:
        """Run inside the session's own task (see HostedSession)."""
        transport = await open_transport(
            stack, self.endpoint, self._headers, self.timeout_s, self._auth_watch
        )
        client = await stack.enter_async_context(
            Client(transport, read_timeout_seconds=self.timeout_s)
        )
        tools = await client.list_tools()
        names = [tool.name for tool in tools.tools]
        if self.tool_name not in names:
            raise AgentProtocolError(
                f"{describe(self.endpoint)} has no tool {self.tool_name!r} "
                f"(it offers {names}); set PARLEY_DIALOGUE_AGENT_TOOL"
            )
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
