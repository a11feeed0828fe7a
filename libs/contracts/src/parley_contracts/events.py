"""Versioned event contracts for every JSON topic.

Every event carries ``type`` (the discriminator) and ``v`` (the schema version) and is
serialised with orjson using camelCase field names. Consumers ignore fields they do not
know, so adding an optional field is a compatible change; anything else bumps ``v``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

SCHEMA_VERSION = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Fields every event has."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )

    SEALED_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Fields holding what the caller said or the agent says: sealed on Kafka when
    PARLEY_KAFKA_ENCRYPT_TEXT is on (:mod:`parley_contracts.codec`)."""

    v: int = SCHEMA_VERSION
    session_id: str
    at: datetime = Field(default_factory=utc_now)


class RoutedEvent(Event):
    """An event that must eventually reach the edge instance holding the call."""

    edge_slot: int = Field(ge=0)


# --- parley.call.events -------------------------------------------------------------


class CallStarted(RoutedEvent):
    type: Literal["call.started"] = "call.started"
    call_sid: str
    stream_sid: str
    caller_last4: str = ""
    stt_provider: str | None = None
    """Speech providers this call asked for (None = the deployment's defaults)."""
    tts_provider: str | None = None


class CallEnded(Event):
    type: Literal["call.ended"] = "call.ended"
    call_sid: str
    reason: str


class PlaybackMarked(Event):
    """The caller heard everything up to this mark (Twilio echoed it back)."""

    type: Literal["playback.marked"] = "playback.marked"
    turn_id: int
    segment: int
    last_segment: bool


class PlaybackStarted(Event):
    """The edge sent the first audio frame of a reply turn to the caller."""

    type: Literal["playback.started"] = "playback.started"
    turn_id: int
    first_frame_at: datetime
    synthesis_started_at: datetime | None = None


class TurnCompleted(Event):
    """Where one turn's time went, from the end of caller speech to the first audio frame.

    ``stages`` holds milliseconds per stage (``stt``, ``agent``, ``tts``, ``playback``);
    ``overBudget`` names the stages (and ``total``) that ran past their budget.
    """

    type: Literal["turn.completed"] = "turn.completed"
    turn_id: int
    total_ms: float
    stages: dict[str, float]
    over_budget: list[str] = Field(default_factory=list)
    filler_spoken: bool = False


class DtmfPressed(RoutedEvent):
    type: Literal["dtmf.pressed"] = "dtmf.pressed"
    digit: str = Field(min_length=1, max_length=1)


class SessionClosed(Event):
    type: Literal["session.closed"] = "session.closed"
    reason: str


CallEvent = Annotated[
    CallStarted
    | CallEnded
    | PlaybackMarked
    | PlaybackStarted
    | TurnCompleted
    | DtmfPressed
    | SessionClosed,
    Field(discriminator="type"),
]

# --- parley.transcripts -------------------------------------------------------------


class SpeechStarted(RoutedEvent):
    type: Literal["stt.speech_started"] = "stt.speech_started"
    offset_ms: int


class Transcript(RoutedEvent):
    """A recognition result; a final one is also the end-of-utterance signal."""

    SEALED_FIELDS = ("text",)

    type: Literal["stt.transcript"] = "stt.transcript"
    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    is_final: bool
    start_ms: int
    end_ms: int
    speech_ended_at: datetime | None = None
    paused: bool = False
    """An interim sent because the caller has gone quiet (the recogniser's pause, shorter
    than its end of utterance): these words may well be the final ones."""


TranscriptEvent = Annotated[SpeechStarted | Transcript, Field(discriminator="type")]

# --- parley.replies -----------------------------------------------------------------


class ReplySentence(RoutedEvent):
    """One sentence of the agent's reply, in speaking order within ``turn_id``."""

    SEALED_FIELDS = ("text",)

    type: Literal["reply.sentence"] = "reply.sentence"
    turn_id: int = Field(ge=0)
    index: int = Field(ge=0)
    text: str
    is_last: bool
    hangup_after: bool = False
    speech_ended_at: datetime | None = None
    tts_provider: str | None = None
    """The session's speech provider; None = the tts service's default."""
    voice: str | None = None
    """The session's voice; None (or one the provider lacks) = the provider's default."""


class ReplyCancelled(RoutedEvent):
    """The caller interrupted ``turn_id``: stop synthesising it and drop what is queued."""

    type: Literal["reply.cancelled"] = "reply.cancelled"
    turn_id: int = Field(ge=0)


ReplyEvent = Annotated[ReplySentence | ReplyCancelled, Field(discriminator="type")]

# --- parley.control -----------------------------------------------------------------


class ClearPlayback(Event):
    """Stop playing anything older than ``turn_id`` at once (barge-in)."""

    type: Literal["control.clear"] = "control.clear"
    turn_id: int


class HangUp(Event):
    type: Literal["control.hangup"] = "control.hangup"
    reason: str


class TransferCall(Event):
    """Move the live call to a person at ``target`` (E.164). Cold when ``announcement`` is
    empty; warm when the caller first hears ``announcement``."""

    SEALED_FIELDS = ("announcement",)

    type: Literal["control.transfer"] = "control.transfer"
    target: str = Field(pattern=r"^\+[1-9][0-9]{6,14}$")
    announcement: str = ""


ControlEvent = Annotated[ClearPlayback | HangUp | TransferCall, Field(discriminator="type")]

AnyEvent = CallEvent | TranscriptEvent | ReplyEvent | ControlEvent

E = TypeVar("E", bound=Event)

# --- speech providers ---------------------------------------------------------------

SPEECH_PROVIDERS: tuple[str, ...] = (
    "aws-transcribe",
    "deepgram",
    "google-cloud",
    "local",
    "whisper",
)
"""Names a call may give as its ``sttProvider`` / ``ttsProvider``."""
