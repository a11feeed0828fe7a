"""Running janitors against the real stack, and sessions planted straight in its store."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from mcp.types import TextContent
from parley_janitor.app import create_app
from parley_janitor.settings import JanitorSettings
from parley_sessions import Session, SessionStore

from tests.support.mcp_agents import serving


def janitor_settings(env: dict[str, str], **overrides: Any) -> JanitorSettings:
    """Without ``api_keys`` the session API is served unauthenticated, callers told apart
    by address: what these tests check lies behind the keys (test_api_keys checks them)."""
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": env["KAFKA_BOOTSTRAP_SERVERS"],
        "redis_url": env["REDIS_URL"],
        "database_url": env["DATABASE_URL"],
        "consumer_group": f"janitor-test-{uuid.uuid4().hex[:8]}",
        "auth": "on" if "api_keys" in overrides else "off",
        **overrides,
    }
    return JanitorSettings.model_validate(values)


@contextlib.asynccontextmanager
async def janitor(env: dict[str, str], **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        # As the janitor is served: the peer address is never replaced by uvicorn.
        serving(create_app(janitor_settings(env, **overrides)), proxy_headers=False) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=10) as client,
    ):
        yield client


async def idle_session(
    store: SessionStore, edge_slot: int, ttl: int = 1, idle_s: float = 30
) -> Session:
    """An active session whose call last did anything ``idle_s`` seconds ago."""
    return await store.create(
        Session(
            call_sid="CA" + uuid.uuid4().hex,
            ttl=ttl,
            last_activity_at=datetime.now(UTC) - timedelta(seconds=idle_s),
            metadata={"edgeSlot": edge_slot},
        )
    )


def tool_text(content: list[Any]) -> str:
    return " ".join(c.text for c in content if isinstance(c, TextContent))
