"""Bad input on one call's media socket: every skipped message counted by kind, each kind
logged once per call, so a peer sending garbage fifty times a second cannot flood the
logs while the metric still shows how much arrived."""

from __future__ import annotations

import logging

from parley_edge import metrics
from parley_edge.carriers.base import MalformedMessageError

log = logging.getLogger(__name__)


class BadInput:
    def __init__(self, carrier: str) -> None:
        self._carrier = carrier
        self._reported: set[str] = set()

    def skip(self, error: MalformedMessageError, session_id: str | None) -> None:
        metrics.MALFORMED_MESSAGES.labels(kind=error.kind).inc()
        if error.kind in self._reported:
            return
        self._reported.add(error.kind)
        log.warning(
            "skipping malformed media stream message",
            extra={
                "event": f"{self._carrier}.malformed",
                "kind": error.kind,
                "session": session_id,
            },
        )
