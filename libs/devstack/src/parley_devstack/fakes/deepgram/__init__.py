"""A local Deepgram speaking the real wire protocol: scripted live transcription driven
by the energy of the received audio, tone-based Aura synthesis, and cues to misbehave."""

from parley_devstack.fakes.deepgram.controls import (
    DeepgramFakeControls,
    EndpointFaults,
    SpeakRecord,
)
from parley_devstack.fakes.deepgram.server import FakeDeepgram

__all__ = ["DeepgramFakeControls", "EndpointFaults", "FakeDeepgram", "SpeakRecord"]
