"""Splitting a reply into sentences, so the first can be spoken while the rest is synthesised."""

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


def _ends_with_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(maxsplit=1)[-1].rstrip(".").lower()
    return last in _ABBREVIATIONS
