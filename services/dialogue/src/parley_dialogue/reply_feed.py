"""One agent reply as speakable sentences, in the order and at the moment they are whole.

A feed asks the agent in a task of its own and queues each sentence as it completes; it
never publishes. The turn that owns it speaks the sentences as they come, or, for a
speculative reply, leaves them queued until the caller's final words confirm the reply
(or cancels the feed, and nothing of it is ever heard).

How the reply ends decides its last sentences: the final result completes the streamed
text (text in the result beyond what was streamed is spoken after it; a result that
does not continue the streamed text is noted and the streamed text stands); a stream
cut short keeps its whole sentences; an agent that gave nothing is replaced by the
fallback line. A feed cancelled while its turn is reading it (a barge-in) wakes the
reader with `FeedCancelled`: nothing more of it is to be said.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from parley_agent_client import AgentClient, AgentError, AgentReply, AgentRequest
from parley_telemetry import tracer

from parley_dialogue import metrics
from parley_dialogue.said_prefix import SaidPrefix, without_said
from parley_dialogue.speech_stream import SpeechStream
from parley_dialogue.speech_text import SpeechTextCleaner

log = logging.getLogger(__name__)

MISMATCH_WARNING = "the final reply did not continue the streamed text; the streamed text was kept"
CUT_WARNING = "the reply stream was cut short"


class FeedCancelled(Exception):
    """The reply was cancelled before it ended; what was said of it stands."""


@dataclass
class FeedEnd:
    """How the reply ended: the last sentences (spoken after every queued one) and the
    reply whose actions, tool calls and usage the turn takes."""

    reply: AgentReply
    sentences: list[str]
    warnings: list[str] = field(default_factory=list)
    agent_failed: bool = False
    took_ms: float = 0.0


class ReplyFeed:
    def __init__(
        self,
        agent: AgentClient,
        request: AgentRequest,
        cleaner: SpeechTextCleaner,
        fallback: AgentReply,
        already_said: str = "",
    ) -> None:
        self.request = request
        self._said = already_said
        self._agent = agent
        self._speech = SpeechStream(cleaner)
        self._fallback = fallback
        # None marks a cancelled feed (and stays queued, for every later read).
        self._items: asyncio.Queue[str | FeedEnd | None] = asyncio.Queue()
        self._started = time.perf_counter()
        self.end: FeedEnd | None = None
        """How the reply ended, once it has (also queued, after the last sentence)."""
        self._task = asyncio.create_task(self._produce(), name="reply-feed")

    async def next(self, timeout_s: float | None = None) -> str | FeedEnd | None:
        """The next sentence, or how the reply ended; None if nothing came in time.
        Raises FeedCancelled once the feed is cancelled, also while waiting."""
        try:
            async with asyncio.timeout(timeout_s):
                item = await self._items.get()
        except TimeoutError:
            return None
        if item is None:
            self._items.put_nowait(None)
            raise FeedCancelled(f"the reply for turn {self.request.turn_id} was cancelled")
        return item

    @property
    def session_id(self) -> str:
        return self.request.session_id

    @property
    def stopped_short(self) -> bool:
        """Whether the reply has ended where the agent would have acted on a speculative
        request: it must be asked again for real (see `follow_up`)."""
        return self.end is not None and self.end.reply.incomplete

    @property
    def failed(self) -> bool:
        """Whether the agent has already failed (a speculative reply not worth using)."""
        return self.end is not None and self.end.agent_failed

    async def cancel(self) -> None:
        """Stop asking (the agent is told) and drop everything queued; a turn reading
        the feed is woken with FeedCancelled."""
        if not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task})
        while not self._items.empty():
            self._items.get_nowait()
        self._items.put_nowait(None)

    async def _produce(self) -> None:
        with tracer().start_as_current_span(
            "agent.respond", attributes={"parley.agent_tool": self._agent.tool_name}
        ):
            stream = self._agent.stream(self.request)
            said = SaidPrefix(self._said)
            try:
                async with stream:
                    async for piece in stream:
                        for sentence in self._speech.feed(said.strip(piece)):
                            self._items.put_nowait(sentence)
                    reply = await stream.final()
                if self._said:
                    reply = reply.model_copy(
                        update={"reply": without_said(self._said, reply.reply)}
                    )
            except AgentError as exc:
                end = self._failed(exc)
            else:
                end = self._ended(reply)
            finally:
                metrics.AGENT_PROGRESS_IGNORED.inc(stream.ignored)
        end.took_ms = (time.perf_counter() - self._started) * 1000
        self.end = end
        self._items.put_nowait(end)

    def _ended(self, reply: AgentReply) -> FeedEnd:
        streamed = self._speech.text.strip()
        written = reply.reply.lstrip()
        warnings: list[str] = []
        if not streamed:
            rest = reply.reply
        elif written.startswith(streamed):
            rest = written[len(streamed) :]
        else:
            rest = ""
            warnings.append(MISMATCH_WARNING)
            log.warning(
                "the agent's final reply does not continue what it streamed",
                extra={"event": "dialogue.reply_mismatch", "session": self.request.session_id},
            )
        sentences = self._speech.finish(rest)
        return FeedEnd(reply, sentences, [*self._speech.warnings, *warnings])

    def _failed(self, exc: AgentError) -> FeedEnd:
        streamed = bool(self._speech.text)
        metrics.TURNS.labels(outcome="agent_cut" if streamed else "agent_failed").inc()
        log.warning(
            "agent reply cut short; keeping what was said"
            if streamed
            else "agent unavailable; speaking the fallback",
            extra={
                "event": "dialogue.agent_cut" if streamed else "dialogue.agent_failed",
                "session": self.request.session_id,
                "error": str(exc),
                "error_type": type(exc).__name__,
            },
        )
        if streamed:
            sentences = self._speech.cut()
            reply = AgentReply(reply=self._speech.text)
            return FeedEnd(reply, sentences, [*self._speech.warnings, CUT_WARNING], True)
        sentences = self._speech.finish(self._fallback.reply)
        return FeedEnd(self._fallback, sentences, self._speech.warnings, True)
