"""Preemptive generation: a v2 agent starts on its reply while the caller pauses, before
the final transcript, and the reply is used only if the final words are the words it
was started on.

The pause is read from stt's interim transcripts: an interim the recogniser sent because
the caller went quiet (``paused``), or the same words in a number of interims in a row,
each covering more audio than the one before (the recogniser has settled). The
speculative reply is held in its feed, never published; words that change, new speech,
a key press or the end of the call cancel it (the agent is told), and with it everything
it produced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from parley_agent_client import CONTRACT_V2, AgentClient
from parley_contracts import Transcript

from parley_dialogue import metrics
from parley_dialogue.reply_feed import ReplyFeed

log = logging.getLogger(__name__)

Starter = Callable[[str, int], Awaitable[ReplyFeed]]
"""Starts a speculative reply to these words, for this turn."""


def spoken_words(text: str) -> str:
    """The words as said: case, punctuation and spacing aside ("Two, please." = "two please")."""
    return " ".join(re.findall(r"[\w']+", text.lower()))


@dataclass
class InterimWatch:
    """The caller's latest interim words, and in how many interims in a row they came."""

    words: str = ""
    sightings: int = 0
    end_ms: int = -1

    def observe(self, transcript: Transcript) -> int:
        words = spoken_words(transcript.text)
        if words != self.words:
            self.words, self.sightings = words, 1
        elif transcript.end_ms > self.end_ms:
            self.sightings += 1
        self.end_ms = transcript.end_ms
        return self.sightings

    def reset(self) -> None:
        self.words, self.sightings, self.end_ms = "", 0, -1


@dataclass
class Speculation:
    turn_id: int
    words: str
    feed: ReplyFeed


class Preemption:
    def __init__(self, agent: AgentClient, enabled: bool, stable_interims: int) -> None:
        self._agent = agent
        self._enabled = enabled
        self._stable_interims = stable_interims

    @property
    def active(self) -> bool:
        """On when configured and the agent streams (v1 agents never get speculation)."""
        return self._enabled and self._agent.contract >= CONTRACT_V2

    async def heard_interim(
        self,
        watch: InterimWatch,
        current: Speculation | None,
        transcript: Transcript,
        next_turn: int,
        start: Starter,
    ) -> Speculation | None:
        """An interim transcript while nothing is being said to the caller: the
        speculation to keep (the current one, a new one, or none)."""
        sightings = watch.observe(transcript)
        if current is not None and current.words != watch.words:
            await self.discard(current, "the caller went on")
            current = None
        settled = transcript.paused or sightings >= self._stable_interims
        paused = bool(watch.words) and settled
        if current is not None or not paused or not self.active:
            return current
        feed = await start(transcript.text, next_turn)
        metrics.PREEMPTIVE.labels(outcome="started").inc()
        log.info(
            "caller paused; reply started before the final transcript",
            extra={"event": "dialogue.preemptive_started", "session": feed.session_id},
        )
        return Speculation(next_turn, watch.words, feed)

    async def confirmed(
        self, current: Speculation | None, final_text: str, turn_id: int
    ) -> ReplyFeed | None:
        """The caller's final words: the speculative reply's feed if it was started on
        these words for this turn (and has not failed); otherwise it is discarded."""
        if current is None:
            return None
        same = current.words == spoken_words(final_text) and current.turn_id == turn_id
        if same and not current.feed.failed and not current.feed.stopped_short:
            metrics.PREEMPTIVE.labels(outcome="used").inc()
            log.info(
                "final transcript confirms the reply started early",
                extra={"event": "dialogue.preemptive_used", "session": current.feed.session_id},
            )
            return current.feed
        await self.discard(current, "the final words differ" if not same else "it cannot be used")
        return None

    async def discard(self, current: Speculation | None, reason: str) -> None:
        """Cancel the speculative reply; nothing it produced is heard or recorded."""
        if current is None:
            return
        await current.feed.cancel()
        metrics.PREEMPTIVE.labels(outcome="discarded").inc()
        log.info(
            "reply started early discarded",
            extra={
                "event": "dialogue.preemptive_discarded",
                "session": current.feed.session_id,
                "reason": reason,
            },
        )
