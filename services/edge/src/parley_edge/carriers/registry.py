"""The carriers this edge can speak to, by name: the one place a new carrier is listed.

Every listed carrier is served side by side, each on its own webhook routes and media
path, all sharing one call ledger and one set of stream tokens.
"""

from __future__ import annotations

from collections.abc import Callable

from parley_edge.carriers.base import Carrier
from parley_edge.carriers.twilio.carrier import TwilioCarrier
from parley_edge.settings import EdgeSettings

CARRIERS: dict[str, Callable[[EdgeSettings], Carrier]] = {"twilio": TwilioCarrier}


def build_carriers(settings: EdgeSettings) -> list[Carrier]:
    return [build(settings) for build in CARRIERS.values()]
