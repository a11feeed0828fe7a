"""Hang-up and transfer of one live call through its carrier's API, each outcome counted
and a failure logged with what the edge does instead. A failure never raises: the call
stream decides what follows (close the socket, or keep the call with the agent)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from parley_edge import metrics
from parley_edge.carriers.base import CallControl, CallControlError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallUpdates:
    control: CallControl
    carrier: str
    session_id: str
    account_id: str
    call_id: str

    async def hang_up(self) -> bool:
        update = self.control.hang_up(self.account_id, self.call_id)
        return await self._outcome("hangup", update, "closing the stream instead")

    async def transfer(self, target: str, announcement: str) -> bool:
        update = self.control.transfer(self.account_id, self.call_id, target, announcement)
        return await self._outcome("transfer", update, "the call stays with the agent")

    async def _outcome(self, action: str, update: Awaitable[None], fallback: str) -> bool:
        try:
            await update
        except CallControlError as exc:
            metrics.CALL_CONTROL.labels(action=action, outcome="failed").inc()
            log.error(
                f"the carrier's {action} failed; {fallback}",
                extra={
                    "event": f"call.{action}_failed",
                    "session": self.session_id,
                    "carrier": self.carrier,
                    "error": str(exc),
                },
            )
            return False
        metrics.CALL_CONTROL.labels(action=action, outcome="ok").inc()
        return True
