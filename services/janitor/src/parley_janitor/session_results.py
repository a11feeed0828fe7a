"""What the session API answers, one model per operation.

The MCP tools publish them as their output schemas (the SDK checks every answer against
them); the HTTP routes answer with the same bodies (a 404 adds ``error``), so a client of
either reads the same field names and types.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from parley_sessions import Session
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Result(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Created(_Result):
    """session.create: the new session's id and when it was opened."""

    session_id: UUID
    created_at: datetime


class Found(_Result):
    """session.get: the session, or null when it is unknown or has expired."""

    session: Session | None


class Updated(_Result):
    """session.update: the session as it is after the change."""

    updated: bool
    session: Session


class Closed(_Result):
    """session.close: how long the session lasted."""

    closed: bool
    duration: int = Field(ge=0, description="milliseconds from creation to the last activity")


class Cleaned(_Result):
    """session.cleanup: how many sessions it closed."""

    cleaned: int = Field(ge=0)
