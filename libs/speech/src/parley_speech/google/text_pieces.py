"""Text cut into sentences for synthesis: Google takes at most 5,000 bytes per request,
and the first sentence alone comes back sooner than the whole text."""

from __future__ import annotations

import re

from parley_speech.text_chunks import split_text

MAX_PIECE_CHARS = 1_000
"""Well under 5,000 bytes even for text of four-byte characters."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def text_pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        pieces.extend(split_text(sentence, MAX_PIECE_CHARS))
    return pieces
