"""Cleaning a reply for speech while the agent is still writing it.

Each piece of text is added to what came before; a sentence is handed out as soon as it
is whole (more text can no longer change it). The cleaning is `SpeechTextCleaner`'s,
applied to all the whole sentences so far each time, so the streamed reply is spoken as
the same reply would be if it had come at once: markdown and links stripped, the first
clause first, the length cap over the whole reply, and its warnings.
"""

from __future__ import annotations

from parley_agent_client import complete_length

from parley_dialogue.speech_text import SpeechTextCleaner

_CODE_FENCE = "```"
_SENTENCE_ENDS = (".", "!", "?")


class SpeechStream:
    def __init__(self, cleaner: SpeechTextCleaner) -> None:
        self._cleaner = cleaner
        self._complete = 0
        self._handed_out = 0
        self.text = ""
        """Everything written so far, as written."""
        self.warnings: list[str] = []
        """What cleaning removed from the reply so far (as for a whole reply)."""

    def feed(self, piece: str) -> list[str]:
        """Add the next piece of the reply; the sentences that are now whole."""
        self.text += piece
        complete = self._complete_length()
        if complete <= self._complete:
            return []
        self._complete = complete
        return self._new_sentences(self.text[:complete])

    def finish(self, rest: str = "") -> list[str]:
        """The reply is written (ending with `rest`): the sentences not yet handed out."""
        self.text += rest
        return self._new_sentences(self.text)

    def cut(self) -> list[str]:
        """The reply stops here, unfinished: the sentences not yet handed out, without a
        last one still being written."""
        if self.text.rstrip().endswith(_SENTENCE_ENDS):
            return self._new_sentences(self.text)
        return self._new_sentences(self.text[: self._complete_length()])

    def _complete_length(self) -> int:
        complete = complete_length(self.text)
        opening = self.text.rfind(_CODE_FENCE, 0, complete)
        if self.text.count(_CODE_FENCE, 0, complete) % 2:
            # A code block that has not closed yet is not read out; what follows its
            # close is not known yet either.
            complete = complete_length(self.text[:opening])
        return complete

    def _new_sentences(self, text: str) -> list[str]:
        sentences, self.warnings = self._cleaner.clean_all(text)
        new = sentences[self._handed_out :]
        self._handed_out = max(self._handed_out, len(sentences))
        return new
