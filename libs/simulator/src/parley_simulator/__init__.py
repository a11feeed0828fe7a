"""A Twilio stand-in for developers and tests: places calls against the edge."""

from parley_simulator.call import CallerTurn, CallOptions, place_call
from parley_simulator.caller_audio import CallerVoice
from parley_simulator.report import CallCut, CallReport, TurnReport
from parley_simulator.webhook import CallRejectedError

__all__ = [
    "CallCut",
    "CallOptions",
    "CallRejectedError",
    "CallReport",
    "CallerTurn",
    "CallerVoice",
    "TurnReport",
    "place_call",
]
