"""Which speech provider a deployment uses (PARLEY_STT / PARLEY_TTS).

Only the offline engines exist so far: ``local`` is pocketsphinx for recognition and
piper for synthesis. Asking for any other provider stops the service at start-up rather
than quietly running a different engine than the operator configured.
"""

from __future__ import annotations

LOCAL_PROVIDER = "local"
AVAILABLE_PROVIDERS: tuple[str, ...] = (LOCAL_PROVIDER,)


def check_speech_provider(setting: str, value: str) -> str:
    """The provider name, normalised; ``ValueError`` naming the setting if unavailable."""
    name = value.strip().lower()
    if name in AVAILABLE_PROVIDERS:
        return name
    available = ", ".join(AVAILABLE_PROVIDERS)
    raise ValueError(
        f"{setting}={value!r} is not an available speech provider (available: {available}); "
        f"unset {setting} or set it to one of those"
    )
