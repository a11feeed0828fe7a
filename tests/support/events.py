"""Events as tests write them, with the fields a test does not care about filled in."""

from __future__ import annotations

from parley_contracts import Transcript


def final_transcript(session_id: str, text: str) -> Transcript:
    """A final transcript of a second of speech (the end of an utterance)."""
    return Transcript(
        session_id=session_id,
        edge_slot=0,
        text=text,
        confidence=0.9,
        is_final=True,
        start_ms=0,
        end_ms=1000,
    )
