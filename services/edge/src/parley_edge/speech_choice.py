"""A call's own speech providers, chosen by the voice webhook URL.

Pointing one number's voice webhook at ``…/voice?sttProvider=deepgram&ttsProvider=local``
gives that number's calls those providers; without the parameters a call uses the
deployment's defaults. The choice rides on the stream's ``<Parameter>``s to the edge
that takes the call, and from there on the call's events and audio headers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from parley_contracts import SPEECH_PROVIDERS

log = logging.getLogger(__name__)
QUERY_NAMES = {"stt_provider": "sttProvider", "tts_provider": "ttsProvider"}


@dataclass(frozen=True, slots=True)
class CallSpeech:
    stt_provider: str | None = None
    tts_provider: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> CallSpeech:
        """Unknown names are logged and ignored: a typo in the console must not stop
        the number from answering."""
        chosen: dict[str, str | None] = {}
        for field, name in QUERY_NAMES.items():
            value = query.get(name, "").strip().lower() or None
            if value is not None and value not in SPEECH_PROVIDERS:
                log.warning(
                    "ignoring an unknown speech provider in the voice webhook URL",
                    extra={"event": "twilio.bad_provider", "parameter": name, "value": value},
                )
                value = None
            chosen[field] = value
        return cls(**chosen)

    @classmethod
    def from_stream_parameters(cls, parameters: Mapping[str, str]) -> CallSpeech:
        return cls.from_query(parameters)

    def as_stream_parameters(self) -> dict[str, str]:
        values = {"stt_provider": self.stt_provider, "tts_provider": self.tts_provider}
        return {QUERY_NAMES[field]: value for field, value in values.items() if value}
