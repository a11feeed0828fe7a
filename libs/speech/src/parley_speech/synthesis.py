"""The asynchronous text-to-speech interface every TTS provider implements, and the
normalisation of whatever a provider produces into Twilio's 20 ms mu-law 8 kHz frames."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol

from parley_audio import AudioFormat, FrameAccumulator, Mulaw8kConverter, validate_audio

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SynthesisRequest:
    text: str
    voice: str
    speed: float = 1.0


class SpeechSynthesizer(Protocol):
    name: str
    default_voice: str
    output_format: AudioFormat
    """What ``stream`` yields (normalised to mu-law 8 kHz frames by ``mulaw_frames``)."""

    def voices(self) -> frozenset[str]: ...

    def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        """Audio in ``output_format``, chunks of any size, as soon as each is ready.
        Closing the iterator early cancels the synthesis. Raises ``SpeechProviderError``."""
        ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    voice: str
    warning: str | None = None


def choose_voice(synthesizer: SpeechSynthesizer, requested: str | None) -> VoiceChoice:
    """The requested voice if the provider has it; otherwise its default and a warning."""
    if not requested:
        return VoiceChoice(synthesizer.default_voice)
    if requested in synthesizer.voices():
        return VoiceChoice(requested)
    warning = (
        f"voice {requested!r} is not a {synthesizer.name} voice; "
        f"using {synthesizer.default_voice!r}"
    )
    log.warning(warning, extra={"event": "tts.unknown_voice", "provider": synthesizer.name})
    return VoiceChoice(synthesizer.default_voice, warning)


async def mulaw_frames(
    synthesizer: SpeechSynthesizer, request: SynthesisRequest
) -> AsyncGenerator[bytes, None]:
    """The synthesised speech as 160-byte (20 ms) mu-law 8 kHz frames; the last frame is
    padded with silence. Closing this iterator closes the provider's stream."""
    converter = Mulaw8kConverter(synthesizer.output_format)
    accumulator = FrameAccumulator()
    first = True
    async with contextlib.aclosing(synthesizer.stream(request)) as chunks:
        async for chunk in chunks:
            if first:
                validate_audio(chunk, synthesizer.output_format)
                first = False
            for frame in accumulator.push(converter.convert(chunk)):
                yield frame
    for frame in accumulator.push(converter.flush()):
        yield frame
    for frame in accumulator.flush():
        yield frame
