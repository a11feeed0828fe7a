"""Google voices known without asking: the en-US Standard, WaveNet and Neural2 families.
The synthesizer replaces this with Google's own list (``ListVoices``) on first use."""

from __future__ import annotations

KNOWN_VOICES: frozenset[str] = frozenset(
    [f"en-US-Standard-{letter}" for letter in "ABCDEFGHIJ"]
    + [f"en-US-Wavenet-{letter}" for letter in "ABCDEFGHIJ"]
    + [f"en-US-Neural2-{letter}" for letter in "ACDEFGHIJ"]
)


def voice_language(voice: str, fallback: str) -> str:
    """``en-US`` from ``en-US-Neural2-F``; ``fallback`` for names without one."""
    parts = voice.split("-")
    return f"{parts[0]}-{parts[1]}" if len(parts) >= 3 else fallback
