"""A turn's reply being spoken, in a task of its own that the call's state owns.

A streamed (v2) reply lasts as long as the agent takes to write it. Spoken from the
call's lane, it would hold back every later event of the call (the caller talking over
it among them) until the stream ended, while its sentences went on being published. In
a task of its own the lane goes on to the call's next event, and a barge-in, a key press
or the end of the call stops the reply where it is: its feed is cancelled (the agent is
told), nothing more of it is published, and the turn is recorded with what was.

The lane still orders what matters: a new turn starts only once the previous reply is
over (it ended, or an interruption stopped it), and an interruption is published only
after the last sentence the stopped reply had published.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from parley_agent_client import AgentRequest
from parley_contracts import TurnCompleted

from parley_dialogue import metrics
from parley_dialogue.latency import TurnTimer
from parley_dialogue.reply_feed import FeedCancelled, FeedEnd, ReplyFeed
from parley_dialogue.speaker import TurnVoice

log = logging.getLogger(__name__)

AskAgain = Callable[[AgentRequest, str], ReplyFeed]
"""Asks the agent this request, going on after what the caller has heard (the text)."""


class ReplyTurn:
    def __init__(self, turn_id: int, feed: ReplyFeed) -> None:
        self.turn_id = turn_id
        self.feed = feed
        """The feed the reply is read from now (a confirmed speculative reply that
        stopped short goes on from a second one)."""
        self.stopped = False
        self.recorded = False
        """Whether the turn is in the session record (its latency can be written to it)."""
        self.latency: TurnCompleted | None = None
        """The turn's latency, when playback started before the turn was recorded."""
        self._task: asyncio.Task[None] | None = None

    def start(self, speak: Callable[[], Awaitable[None]]) -> None:
        self._task = asyncio.create_task(self._run(speak), name=f"reply-turn-{self.turn_id}")

    async def _run(self, speak: Callable[[], Awaitable[None]]) -> None:
        try:
            await speak()
        except Exception:
            log.exception(
                "speaking a reply failed",
                extra={
                    "event": "dialogue.reply_failed",
                    "session": self.feed.session_id,
                    "turn": self.turn_id,
                },
            )

    async def speak(
        self,
        voice: TurnVoice,
        timer: TurnTimer,
        filler: str,
        first_within_s: float,
        ask_again: AskAgain,
    ) -> FeedEnd | None:
        """Say each sentence as it comes; with none within `first_within_s`, the filler
        first. How the reply ended (its last sentences still to be said), or None when
        the turn was stopped before that. On failure the feed has put the fallback line
        in the reply's place."""
        try:
            item = await self.feed.next(timeout_s=first_within_s)
            if item is None:
                if filler:
                    timer.filler_spoken = True
                    metrics.FILLERS.inc()
                    await voice.filler(filler)
                item = await self.feed.next()
            timer.agent_replied()
            item = await self._say_each(voice, item)
            request = self.feed.request
            if isinstance(item, FeedEnd) and request.speculative and item.reply.incomplete:
                # Confirmed, but the agent stopped where it would have acted: ask for real
                # and go on after what the caller has heard.
                for sentence in item.sentences:
                    await voice.say(sentence)
                for_real = request.model_copy(update={"speculative": False})
                await self._follow(ask_again(for_real, " ".join(voice.spoken)))
                item = await self._say_each(voice, await self.feed.next())
        except FeedCancelled:
            log.info(
                "reply stopped before it ended",
                extra={"event": "dialogue.reply_stopped", "session": self.feed.session_id},
            )
            return None
        finally:
            await self.feed.cancel()  # a no-op once the reply has ended; else it stops it
        assert isinstance(item, FeedEnd)
        return item

    async def _say_each(self, voice: TurnVoice, item: str | FeedEnd | None) -> str | FeedEnd | None:
        """Say the reply's sentences as they come; how it ended."""
        while isinstance(item, str):
            await voice.say(item)
            item = await self.feed.next()
        return item

    async def _follow(self, feed: ReplyFeed) -> None:
        """The reply goes on from `feed`; a turn already stopped cancels it at once."""
        self.feed = feed
        if self.stopped:
            await feed.cancel()

    def hold_latency(self, completed: TurnCompleted) -> bool:
        """Keep the turn's latency to be written once the turn is recorded; False if
        it already is (the latency can be written now)."""
        if self.recorded:
            return False
        self.latency = completed
        return True

    async def stop(self) -> None:
        """Cancel the reply and wait until the turn is over: when this returns, nothing
        more of it will be published."""
        self.stopped = True
        await self.feed.cancel()
        await self.finished()

    async def finished(self) -> None:
        if self._task is not None:
            await asyncio.wait({self._task})
