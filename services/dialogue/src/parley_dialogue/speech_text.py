"""Turning an agent's reply into text that sounds right when spoken.

Agents write for screens: markdown, links, SSML, e-mail addresses, "e.g.", three
paragraphs. `SpeechTextCleaner` strips or rewrites all of that, caps the length at a
sentence boundary, and hands out sentences one at a time, so the first can be sent to
synthesis while the rest are still being cleaned. What it removed is reported as
warnings for the turn record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from parley_agent_client import split_sentences

Treatment = Literal["keep", "mask", "remove"]

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_SSML_TAG = re.compile(r"</?[a-zA-Z][\w:-]*(\s[^<>]*)?/?>")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_QUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+", re.MULTILINE)
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`([^`]*)`")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?'\"]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d\s().-]{6,}\d\b")
_UNSPEAKABLE = re.compile(r"[^\w\s.,!?;:'\"()$%&@+\-/\u00c0-\u024f]")
_REPEATED_PUNCTUATION = re.compile(r"([!?.,])\1+")
_ELLIPSIS = re.compile(r"\.{2,}|\u2026")
_DASH = re.compile(r"\s*[\u2013\u2014]\s*|\s+-{1,2}\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,!?;:])")
_SPACES = re.compile(r"[ \t]+")

# Written forms a synthesiser reads wrongly or letter by letter.
ABBREVIATIONS: dict[str, str] = {
    r"\be\.g\.": "for example",
    r"\bi\.e\.": "that is",
    r"\betc\.": "et cetera",
    r"\bvs\.?(?=\s)": "versus",
    r"\bDr\.(?=\s+[A-Z])": "Doctor",
    r"\bMr\.(?=\s)": "Mister",
    r"\bMrs\.(?=\s)": "Missus",
    r"\bMs\.(?=\s)": "Miz",
    r"\bapprox\.": "approximately",
    r"\bappt\.?(?=\s)": "appointment",
    r"\bmins?\b\.?": "minutes",
    r"\bhrs?\b\.?": "hours",
    r"\bno\.(?=\s*\d)": "number",
    r"\s&\s": " and ",
    r"(?<=\d)\s?%": " percent",
}
_ABBREVIATIONS = [(re.compile(p), word) for p, word in ABBREVIATIONS.items()]


@dataclass(frozen=True)
class SpeechTextPolicy:
    urls: Treatment = "mask"
    emails: Treatment = "mask"
    phone_numbers: Treatment = "keep"
    max_chars: int = 400
    # A first sentence longer than this is cut at its first comma (if the comma comes
    # within `first_clause_max_chars`): "Sure," synthesises in a quarter of the time of
    # the whole sentence, and the rest is ready before "Sure," has finished playing.
    first_clause_min_sentence_chars: int = 30
    first_clause_max_chars: int = 60


@dataclass
class CleanedReply:
    sentences: Iterator[str]
    warnings: list[str] = field(default_factory=list)


_MASKS = {"urls": "a link", "emails": "an email address", "phone_numbers": "a phone number"}


class SpeechTextCleaner:
    def __init__(self, policy: SpeechTextPolicy | None = None) -> None:
        self.policy = policy or SpeechTextPolicy()

    def clean(self, reply: str) -> CleanedReply:
        """Structural clean-up now; sentence-level clean-up lazily, one sentence at a time."""
        warnings: list[str] = []
        text = self._strip_structure(reply, warnings)
        return CleanedReply(self._sentences(text, warnings), warnings)

    def clean_all(self, reply: str) -> tuple[list[str], list[str]]:
        cleaned = self.clean(reply)
        sentences = list(cleaned.sentences)
        return sentences, cleaned.warnings

    def _strip_structure(self, text: str, warnings: list[str]) -> str:
        if _CODE_BLOCK.search(text):
            warnings.append("code block removed")
            text = _CODE_BLOCK.sub(" ", text)
        if _SSML_TAG.search(text):
            warnings.append("SSML tags removed")
            text = _SSML_TAG.sub(" ", text)
        markdown = [_IMAGE, _LINK, _HEADING, _QUOTE, _BULLET, _TABLE_RULE, _EMPHASIS]
        if any(p.search(text) for p in markdown) or _INLINE_CODE.search(text):
            warnings.append("markdown removed")
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
        text = _TABLE_RULE.sub(" ", text)
        for pattern in (_HEADING, _QUOTE, _BULLET):
            text = pattern.sub("", text)
        text = _EMPHASIS.sub(r"\2", _EMPHASIS.sub(r"\2", text))
        text = _INLINE_CODE.sub(r"\1", text).replace("|", ", ")
        for kind, pattern in (("urls", _URL), ("emails", _EMAIL), ("phone_numbers", _PHONE)):
            text = self._treat(text, kind, pattern, warnings)
        # A line break in markdown is a sentence break when spoken.
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return " ".join(_terminate(line) for line in lines)

    def _treat(self, text: str, kind: str, pattern: re.Pattern[str], warnings: list[str]) -> str:
        treatment: Treatment = getattr(self.policy, kind)
        found = len(pattern.findall(text))
        if treatment == "keep" or not found:
            return text
        label = kind.replace("_", " ")
        warnings.append(f"{found} {label} {'masked' if treatment == 'mask' else 'removed'}")
        return pattern.sub(_MASKS[kind] if treatment == "mask" else "", text)

    def _sentences(self, text: str, warnings: list[str]) -> Iterator[str]:
        spoken = 0
        for index, raw in enumerate(split_sentences(text)):
            sentence = _speakable(raw)
            if not sentence:
                continue
            if spoken and spoken + len(sentence) > self.policy.max_chars:
                warnings.append(f"reply shortened to {spoken} characters")
                return
            spoken += len(sentence) + 1
            if index == 0:
                yield from self._first_clause_split(sentence)
            else:
                yield sentence

    def _first_clause_split(self, sentence: str) -> Iterator[str]:
        comma = sentence.find(", ")
        too_short = len(sentence) <= self.policy.first_clause_min_sentence_chars
        if too_short or comma <= 0 or comma > self.policy.first_clause_max_chars:
            yield sentence
            return
        yield sentence[: comma + 1]
        yield sentence[comma + 2 :]


def _speakable(sentence: str) -> str:
    for pattern, word in _ABBREVIATIONS:
        sentence = pattern.sub(word, sentence)
    sentence = _ELLIPSIS.sub(".", sentence)
    sentence = _DASH.sub(", ", sentence)
    sentence = sentence.replace(";", ",")
    sentence = _UNSPEAKABLE.sub(" ", sentence)
    sentence = _REPEATED_PUNCTUATION.sub(r"\1", sentence)
    sentence = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", sentence)
    sentence = re.sub(r"\(\s*\)|\(\s*|\s*\)", " ", sentence)
    sentence = _SPACES.sub(" ", sentence).strip(" ,;:")
    if not re.search(r"\w", sentence):
        return ""
    return _terminate(sentence)


def _terminate(text: str) -> str:
    return text if text.endswith((".", "!", "?", ":", ",")) else f"{text}."
