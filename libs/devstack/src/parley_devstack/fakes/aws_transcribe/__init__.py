"""A local Amazon Transcribe streaming endpoint speaking the real wire protocol (HTTP/2
over TLS, event-stream framing, SigV4-signed requests): scripted transcripts timed by
the energy of the received audio, and cues to fail as Transcribe fails."""

from parley_devstack.fakes.aws_transcribe.controls import (
    StreamFaults,
    StreamRecord,
    TranscribeFakeControls,
)
from parley_devstack.fakes.aws_transcribe.listener import ListeningConfig
from parley_devstack.fakes.aws_transcribe.server import FakeAwsTranscribe

__all__ = [
    "FakeAwsTranscribe",
    "ListeningConfig",
    "StreamFaults",
    "StreamRecord",
    "TranscribeFakeControls",
]
