"""Edge slots: the partitions of parley.control a session may name as its call's edge.

The janitor tells a call's edge to hang up on the partition ``metadata.edgeSlot`` names.
A slot the topic does not have cannot be sent to (the producer refuses it), and no edge
reads it, so a session is never recorded with one. How many slots there are is the
deployment's choice (the chart's ``kafka.partitions.edgeSlots``), so the count comes from
the broker's metadata; the catalogue's count stands in only while the broker cannot say.
"""

from __future__ import annotations

import logging

from parley_bus import BusPublisher
from parley_contracts import CONTROL

log = logging.getLogger(__name__)

# The metadata key holding the slot of the edge that holds a session's call.
EDGE_SLOT_KEY = "edgeSlot"


class InvalidEdgeSlotError(ValueError):
    """A slot that is not a partition of parley.control."""

    def __init__(self, slot: object, count: int) -> None:
        super().__init__(
            f"{EDGE_SLOT_KEY} {slot!r} is not an edge slot: {CONTROL.name} has {count}"
            f" partitions, so a slot is a whole number from 0 to {count - 1}; check the"
            " edge's PARLEY_EDGE_SLOT against the topic's partitions"
        )
        self.slot = slot


class EdgeSlots:
    def __init__(self, publisher: BusPublisher) -> None:
        self._publisher = publisher

    async def count(self) -> int:
        try:
            return await self._publisher.partition_count(CONTROL)
        except Exception as exc:  # any failure to read metadata: fall back, never refuse calls
            log.warning(
                "partitions of the control topic unknown; checking edge slots against the"
                " catalogue's count",
                extra={"event": "janitor.edge_slots_unknown", "error": repr(exc)},
            )
            return CONTROL.partitions

    async def check(self, slot: object) -> int:
        """The slot, if parley.control has that partition; else InvalidEdgeSlotError."""
        count = await self.count()
        if isinstance(slot, int) and not isinstance(slot, bool) and 0 <= slot < count:
            return slot
        raise InvalidEdgeSlotError(slot, count)
