"""Skipping what the caller has already heard when a reply is asked for again.

A speculative reply may stop where the agent would have acted (it may not run tools on
a speculative request); once the caller's words confirm it, Parley asks again for real,
and the new reply usually begins with the words already spoken. Those are skipped, so
the caller does not hear them twice. The comparison is on letters and digits only
(case, spacing and punctuation aside); a reply that says something else from the start
is spoken whole.
"""

from __future__ import annotations


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


class SaidPrefix:
    def __init__(self, said: str) -> None:
        self._said = _letters(said)
        self._matched = 0
        self._held = ""
        self._done = not self._said

    def strip(self, piece: str) -> str:
        """The part of the next piece that is new to the caller ("" while it repeats)."""
        if self._done:
            return piece
        start = len(self._held)
        self._held += piece
        for index in range(start, len(self._held)):
            char = self._held[index]
            if not char.isalnum():
                continue
            if self._matched == len(self._said):
                return self._release(self._held[index:])
            if char.lower() != self._said[self._matched]:
                return self._release(self._held)  # something else: say it all
            self._matched += 1
        return ""

    def _release(self, text: str) -> str:
        self._done, self._held = True, ""
        return text

    @property
    def repeating(self) -> bool:
        """Whether every letter so far repeated what was said."""
        return not self._done


def without_said(said: str, text: str) -> str:
    """`text` less a leading repetition of `said`."""
    prefix = SaidPrefix(said)
    rest = prefix.strip(text)
    return rest if not prefix.repeating else ""
