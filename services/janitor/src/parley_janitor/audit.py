"""One audit line per call that changes sessions: who (the caller identity, ``key:<id>``
when authenticated), what (the operation, named as the MCP tool and its HTTP route share
it), which session, and how it ended. Never the transcript, metadata or config values."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("parley_janitor.audit")
# An id as the caller spelled it is logged only this long (a valid one is a UUID).
_MAX_ID_CHARS = 64


@contextmanager
def audited(caller: str, operation: str, session_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Log the call when it ends; the block may add ``session_id`` (a new session's) or a
    count to the dict it is given."""
    fields: dict[str, Any] = {
        "event": "janitor.audit",
        "caller": caller,
        "operation": operation,
        "session_id": None if session_id is None else str(session_id)[:_MAX_ID_CHARS],
    }
    try:
        yield fields
    except Exception as exc:
        fields["outcome"] = type(exc).__name__
        raise
    else:
        fields["outcome"] = "ok"
    finally:
        log.info("session API call", extra=fields)
