"""Publishing a reply as sentences for synthesis: cleaned for speech, first sentence
first, the last flagged (and flagged for hang-up when the agent ends the call)."""

from __future__ import annotations

from collections.abc import Iterator
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


def _with_last_flag(items: Iterator[str]) -> Iterator[tuple[str, bool]]:
    previous: str | None = None
    for item in items:
        if previous is not None:
            yield previous, False
        previous = item
    if previous is not None:
        yield previous, True


class ReplySpeaker:
    def __init__(
        self,
        publisher: BusPublisher,
        cleaner: SpeechTextCleaner,
        fallback: str,
        filler: str,
    ) -> None:
        self._publisher = publisher
        self._cleaner = cleaner
        self._fallback = fallback
        self.filler = filler

    def fallback_reply(self) -> AgentReply:
        return AgentReply(reply=self._fallback)

    async def speak(
        self,
        session_id: str,
        edge_slot: int,
        turn_id: int,
        reply: AgentReply,
        speech_ended_at: datetime | None,
        first_index: int = 0,
        speech: SpeechChoice = DEFAULT_SPEECH,
    ) -> SpokenReply:
        cleaned = self._cleaner.clean(reply.reply)
        spoken: list[str] = []
        index = first_index
        for text, last in _with_last_flag(cleaned.sentences):
            await self._publish(
                session_id,
                edge_slot,
                turn_id,
                index,
                text,
                last,
                reply.wants_hangup,
                speech_ended_at,
                speech,
            )
            spoken.append(text)
            index += 1
        if not spoken and (reply.wants_hangup or first_index):
            # Nothing to say, but the turn must still end (and maybe end the call).
            await self._publish(
                session_id,
                edge_slot,
                turn_id,
                index,
                "",
                True,
                reply.wants_hangup,
                speech_ended_at,
                speech,
            )
        return SpokenReply(" ".join(spoken), cleaned.warnings)

    async def speak_filler(
        self, session_id: str, edge_slot: int, turn_id: int, speech: SpeechChoice
    ) -> None:
        await self._publish(
            session_id, edge_slot, turn_id, 0, self.filler, False, False, None, speech
        )

    async def _publish(
        self,
        session_id: str,
        edge_slot: int,
        turn_id: int,
        index: int,
        text: str,
        last: bool,
        hangup: bool,
        speech_ended_at: datetime | None,
        speech: SpeechChoice,
    ) -> None:
        await self._publisher.event(
            REPLIES,
            ReplySentence(
                session_id=session_id,
                edge_slot=edge_slot,
                turn_id=turn_id,
                index=index,
                text=text,
                is_last=last,
                hangup_after=last and hangup,
                speech_ended_at=speech_ended_at,
                tts_provider=speech.tts_provider,
                voice=speech.voice,
            ),
        )
