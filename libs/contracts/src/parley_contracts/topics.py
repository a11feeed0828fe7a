"""The Kafka topic catalogue: every topic Parley uses, who writes it and who reads it.

One place to look when inspecting a call on the wire. ``docs/topics.md`` is the
human-readable version of this table and must be kept in step with it. The producer
and consumer lists are what each service's Kafka principal is allowed to do
(:mod:`parley_contracts.access`), so they must name every writer and reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class ValueFormat(StrEnum):
    """How a topic's message values are encoded."""

    MULAW_FRAME = "raw mu-law 8 kHz bytes, metadata in headers"
    JSON_EVENT = "orjson-encoded event (see parley_contracts.events)"


class Partitioning(StrEnum):
    """How producers choose a partition."""

    BY_SESSION_KEY = "key = session id (default partitioner)"
    BY_EDGE_SLOT = "partition = edge slot of the call; key = session id"


class CallerData(StrEnum):
    """What of a call a topic holds, which decides how long Kafka keeps it.

    Each class has one retention (``PARLEY_TOPIC_RETENTION_<CLASS>`` for the topics
    command); audio is the most sensitive and only needed while the call is live.
    """

    AUDIO = "audio"
    TEXT = "text"
    EVENTS = "events"


DEFAULT_RETENTION: dict[CallerData, timedelta] = {
    CallerData.AUDIO: timedelta(hours=1),
    CallerData.TEXT: timedelta(days=1),
    CallerData.EVENTS: timedelta(days=1),
}
"""How long each class of data stays on Kafka unless the deployment says otherwise:
long enough for a consumer that was down to catch up, far shorter than the broker's
default week."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One Kafka topic and its contract."""

    name: str
    partitions: int
    value_format: ValueFormat
    partitioning: Partitioning
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    description: str
    holds: CallerData


# Topics whose partition is the edge slot need at least as many partitions as there
# are edge instances; 16 leaves room to scale the edge without repartitioning.
EDGE_SLOT_PARTITIONS = 16
WORKER_PARTITIONS = 12

AUDIO_IN = TopicSpec(
    name="parley.audio.in",
    partitions=WORKER_PARTITIONS,
    value_format=ValueFormat.MULAW_FRAME,
    partitioning=Partitioning.BY_SESSION_KEY,
    producers=("edge",),
    consumers=("stt",),
    description="Caller audio, one 20 ms frame (160 bytes) per message.",
    holds=CallerData.AUDIO,
)
TRANSCRIPTS = TopicSpec(
    name="parley.transcripts",
    partitions=WORKER_PARTITIONS,
    value_format=ValueFormat.JSON_EVENT,
    partitioning=Partitioning.BY_SESSION_KEY,
    producers=("stt",),
    consumers=("dialogue",),
    description="Speech started, interim and final transcripts (a final ends an utterance).",
    holds=CallerData.TEXT,
)
REPLIES = TopicSpec(
    name="parley.replies",
    partitions=WORKER_PARTITIONS,
    value_format=ValueFormat.JSON_EVENT,
    partitioning=Partitioning.BY_SESSION_KEY,
    producers=("dialogue",),
    consumers=("tts",),
    description="The agent's reply, one sentence per message, in speaking order.",
    holds=CallerData.TEXT,
)
AUDIO_OUT = TopicSpec(
    name="parley.audio.out",
    partitions=EDGE_SLOT_PARTITIONS,
    value_format=ValueFormat.MULAW_FRAME,
    partitioning=Partitioning.BY_EDGE_SLOT,
    producers=("tts",),
    consumers=("edge",),
    description="Synthesised agent audio, one 20 ms frame per message, for the call's edge.",
    holds=CallerData.AUDIO,
)
CONTROL = TopicSpec(
    name="parley.control",
    partitions=EDGE_SLOT_PARTITIONS,
    value_format=ValueFormat.JSON_EVENT,
    partitioning=Partitioning.BY_EDGE_SLOT,
    producers=("dialogue", "janitor"),
    consumers=("edge",),
    description="Commands for the edge holding a call: clear playback, hang up.",
    holds=CallerData.TEXT,
)
CALL_EVENTS = TopicSpec(
    name="parley.call.events",
    partitions=WORKER_PARTITIONS,
    value_format=ValueFormat.JSON_EVENT,
    partitioning=Partitioning.BY_SESSION_KEY,
    producers=("edge", "dialogue", "janitor"),
    consumers=("stt", "dialogue", "janitor"),
    description="Call lifecycle: started, ended, playback marks, DTMF, session closed.",
    holds=CallerData.EVENTS,
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    AUDIO_IN,
    TRANSCRIPTS,
    REPLIES,
    AUDIO_OUT,
    CONTROL,
    CALL_EVENTS,
)
