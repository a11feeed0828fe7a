"""Publishing a turn's reply as sentences for synthesis, in speaking order: the filler
when the agent is slow, each sentence as soon as it is whole, and the last one flagged
(and flagged for hang-up when the agent ends the call)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from parley_agent_client import AgentReply
from parley_bus import BusPublisher
from parley_contracts import REPLIES, ReplySentence

from parley_dialogue.speech_text import SpeechTextCleaner


@dataclass(frozen=True)
class SpeechChoice:
    """Which provider and voice speak this call (None = the tts service's defaults)."""

    tts_provider: str | None = None
    voice: str | None = None


DEFAULT_SPEECH = SpeechChoice()


@dataclass
class SpokenReply:
    text: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReplyTarget:
    """Whose turn a reply answers and how it is to be spoken."""

    session_id: str
    edge_slot: int
    turn_id: int
    speech_ended_at: datetime | None = None
    speech: SpeechChoice = DEFAULT_SPEECH


def _with_last_flag(items: Iterable[str]) -> Iterator[tuple[str, bool]]:
    previous: str | None = None
    for item in items:
        if previous is not None:
            yield previous, False
        previous = item
    if previous is not None:
        yield previous, True


class TurnVoice:
    """The sentences of one turn, numbered in the order they are published."""

    def __init__(self, publisher: BusPublisher, target: ReplyTarget) -> None:
        self._publisher = publisher
        self.target = target
        self._index = 0
        self.spoken: list[str] = []
        """The reply's sentences published so far (the filler is not part of the reply)."""

    async def filler(self, text: str) -> None:
        """Said while the agent is slow; not timed as the reply's speech."""
        await self._publish(text, last=False, hangup=False, timed=False)

    async def say(self, sentence: str) -> None:
        """A sentence of the reply that is known not to be its last."""
        await self._publish(sentence, last=False, hangup=False)
        self.spoken.append(sentence)

    async def end(self, sentences: list[str], hangup: bool) -> None:
        """The reply's last sentences. A turn that has said something already still
        ends with a (silent) last sentence, and so does one that only hangs up."""
        for text, last in _with_last_flag(sentences):
            await self._publish(text, last=last, hangup=hangup)
            self.spoken.append(text)
        if not sentences and (hangup or self._index):
            await self._publish("", last=True, hangup=hangup)

    async def _publish(self, text: str, last: bool, hangup: bool, timed: bool = True) -> None:
        target = self.target
        await self._publisher.event(
            REPLIES,
            ReplySentence(
                session_id=target.session_id,
                edge_slot=target.edge_slot,
                turn_id=target.turn_id,
                index=self._index,
                text=text,
                is_last=last,
                hangup_after=last and hangup,
                speech_ended_at=target.speech_ended_at if timed else None,
                tts_provider=target.speech.tts_provider,
                voice=target.speech.voice,
            ),
        )
        self._index += 1


class ReplySpeaker:
    def __init__(
        self,
        publisher: BusPublisher,
        cleaner: SpeechTextCleaner,
        fallback: str,
        filler: str,
    ) -> None:
        self._publisher = publisher
        self.cleaner = cleaner
        self._fallback = fallback
        self.filler = filler

    def fallback_reply(self) -> AgentReply:
        return AgentReply(reply=self._fallback)

    def voice(self, target: ReplyTarget) -> TurnVoice:
        return TurnVoice(self._publisher, target)
