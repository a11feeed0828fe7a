"""Placing a simulated call against a running fleet of services."""

from __future__ import annotations

from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, CallReport, place_call


async def call_saying(fleet: ServiceFleet, *lines: str) -> CallReport:
    """A call in which the caller says `lines`, one turn each, then hangs up."""
    voice = CallerVoice()
    return await place_call(
        CallOptions(
            turns=[CallerTurn(script=line, frames=voice.say(line)) for line in lines],
            edge_url=fleet.processes["edge"].url,
            janitor_url=fleet.processes["janitor"].url,
            janitor_api_key=fleet.janitor_api_key,
        )
    )
