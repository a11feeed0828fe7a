"""Splitting a reply into sentences, so the first can be spoken while the rest is
synthesised; and, for a reply still being written, telling how much of it is whole
sentences already."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "e.g",
    "i.e",
    "etc",
    "vs",
    "no",
    "jr",
    "sr",
    "prof",
}
_BOUNDARY = re.compile(r"(?<=[.!?])\s+")
# Where a sentence of a streamed reply is known to have ended: at white space after its
# closing mark (as `_BOUNDARY`), or at a line break (a line is spoken as a sentence).
_ENDED = re.compile(r"[.!?]\s+|\n")


def split_sentences(text: str) -> list[str]:
    pieces = _BOUNDARY.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if sentences and _ends_with_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]


def complete_length(text: str) -> int:
    """How many characters at the start of `text` (a reply still being written) are
    whole sentences: up to the last sentence end that more text cannot change. A full
    stop after an abbreviation ("Dr. ") is no sentence end, as in `split_sentences`."""
    for match in reversed(list(_ENDED.finditer(text))):
        before = text[: match.start() + 1]
        if before.strip() and not _ends_with_abbreviation(before):
            return match.end()
    return 0


def _ends_with_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(maxsplit=1)[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS
