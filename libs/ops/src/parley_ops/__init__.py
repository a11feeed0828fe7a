"""Operator tools behind the `parley` command: topics, inspection, replay."""

from parley_ops.reading import UnknownTopicError, read_topics, resolve_topics
from parley_ops.records import TopicRecord, decode_record
from parley_ops.replay import NothingToReplayError, ReplayResult, replay_call
from parley_ops.runs import RunSummariser, summarise_runs
from parley_ops.topics import TopicState, describe_topics, format_topics

__all__ = [
    "NothingToReplayError",
    "ReplayResult",
    "RunSummariser",
    "TopicRecord",
    "TopicState",
    "UnknownTopicError",
    "decode_record",
    "describe_topics",
    "format_topics",
    "read_topics",
    "replay_call",
    "resolve_topics",
    "summarise_runs",
]
