"""The speech-synthesis interface every engine implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class Synthesizer(Protocol):
    sample_rate: int
    """The engine's native output rate (output is always converted to 8 kHz mu-law)."""

    def synthesize_mulaw8k(self, text: str) -> Iterator[bytes]:
        """mu-law 8 kHz audio, in chunks of any size, as soon as each is ready."""
        ...
