"""Text cut into pieces small enough to synthesise one at a time, and capped in total.

A synthesiser given one long utterance holds all of it in memory at once. piper, the
local engine, runs each sentence espeak finds as a single ONNX inference whose
activations grow with the length of the audio it produces (about 1.5 MB per character
of text: 250 characters peak near 0.5 GB, 2,000 near 3 GB), and yields nothing until
that sentence is done; so 20 KB of text without a full stop asked for more than 20 GB.
Cloud providers take a bounded request too. So text is cut, at the latest sentence end
that fits, else the latest clause break (``,`` ``;`` ``:``), else the latest space, else
mid-word, into chunks of at most ``chunk_chars``; the chunks are synthesised one after
another, and text past ``total_chars`` is not spoken at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Each pattern ends where a chunk may end: just before whitespace, after the boundary.
_BOUNDARIES = (
    re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s)"),  # a sentence end, closing quotes
    re.compile(r"[,;:](?=\s)"),  # a clause break
    re.compile(r"\S(?=\s)"),  # the end of a word
)
_SPACE = re.compile(r"\s*")


@dataclass(frozen=True, slots=True)
class TextLimits:
    chunk_chars: int = 250
    """The most one synthesis request is given."""
    total_chars: int = 3_000
    """The most of one text that is spoken (about three minutes of speech)."""

    def __post_init__(self) -> None:
        if not 0 < self.chunk_chars <= self.total_chars:
            raise ValueError(
                f"text limits: need 0 < chunk_chars ({self.chunk_chars}) <= "
                f"total_chars ({self.total_chars})"
            )


@dataclass(frozen=True, slots=True)
class BoundedText:
    chunks: tuple[str, ...]
    """What to synthesise, in order; empty for a text of only whitespace."""
    refused_chars: int
    """Characters past the total cap (leading and trailing whitespace not counted)."""

    @property
    def spoken_chars(self) -> int:
        return sum(len(chunk) for chunk in self.chunks)


def split_text(text: str, max_chars: int) -> list[str]:
    """``text`` in chunks of at most ``max_chars``, cut at the best boundary that fits."""
    return [text[start:end] for start, end in _chunk_spans(text, max_chars)]


def bound_text(text: str, limits: TextLimits) -> BoundedText:
    """The chunks of ``text`` that end within ``limits.total_chars``, and how much was
    left out. Only the spoken part of the text is scanned, however long the rest."""
    chunks: list[str] = []
    spoken_to = 0
    for start, end in _chunk_spans(text, limits.chunk_chars):
        if end > limits.total_chars:
            break
        chunks.append(text[start:end])
        spoken_to = end
    return BoundedText(tuple(chunks), len(text[spoken_to:].strip()))


def _chunk_spans(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each chunk: no chunk starts or ends with whitespace."""
    start = _skip_space(text, 0)
    while start < len(text):
        window = text[start : start + max_chars + 1]
        if len(window) <= max_chars:
            yield start, start + len(window.rstrip())
            return
        end = start + _cut(window, max_chars)
        yield start, end
        start = _skip_space(text, end)


def _cut(window: str, max_chars: int) -> int:
    """Where in ``window`` (one character longer than a chunk may be) the chunk ends."""
    for boundary in _BOUNDARIES:
        ends = [match.end() for match in boundary.finditer(window)]
        if ends:
            return ends[-1]
    return max_chars


def _skip_space(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index
