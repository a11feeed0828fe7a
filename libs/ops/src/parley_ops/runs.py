"""Audio frames summarised into runs, so one call reads as a few dozen lines.

Audio travels as 20 ms frames, 50 a second each way: a 12 s call is some 600 frames,
which would bury its handful of events. A run is the consecutive frames of one topic
(direction) and session, with each frame's seq one more than the last and, on
``parley.audio.out``, the same turn and sentence (segment). A run ends when seq jumps,
the turn or segment changes, or another event of its session comes between; frames of
the other direction do not end it, so caller audio heard while the agent speaks stays
one run. Runs print when they end, before whatever ended them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from parley_audio.framing import duration_ms

from parley_ops.records import AUDIO_KIND, TopicRecord, level_dbfs

RUN_KIND = "audio.run"
# Fields every frame of a run shares, carried from its first frame.
_SHARED_FIELDS = ("turn", "segment", "slot")


@dataclass
class _Run:
    first: TopicRecord
    last: TopicRecord
    audio: list[bytes] = field(default_factory=list)
    peak_dbfs: float | None = None

    def add(self, frame: TopicRecord) -> None:
        self.last = frame
        self.audio.append(frame.audio)
        level = frame.fields.get("level_dbfs")
        if isinstance(level, float) and (self.peak_dbfs is None or level > self.peak_dbfs):
            self.peak_dbfs = level

    def continued_by(self, frame: TopicRecord) -> bool:
        seq, next_seq = _seq(self.last), _seq(frame)
        return (
            seq is not None
            and next_seq == seq + 1
            and all(frame.fields.get(k) == self.last.fields.get(k) for k in ("turn", "segment"))
        )

    def as_record(self) -> TopicRecord:
        first = self.first
        fields = {
            "frames": len(self.audio),
            "seq_first": _seq(first),
            "seq_last": _seq(self.last),
            "duration_ms": sum(duration_ms(a) for a in self.audio),
            "level_dbfs": level_dbfs(b"".join(self.audio)),
            "peak_dbfs": self.peak_dbfs,
            **{k: first.fields[k] for k in _SHARED_FIELDS if k in first.fields},
        }
        return TopicRecord(
            first.topic,
            first.partition,
            first.offset,
            first.timestamp_ms,
            first.session,
            RUN_KIND,
            fields,
        )


def _seq(frame: TopicRecord) -> int | None:
    raw = frame.fields.get("seq")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


class RunSummariser:
    """Turns a stream of records into the same stream with audio frames folded into runs.

    ``push`` each record in the order it is printed; it returns what can be printed now
    (runs that ended, then the record itself if it is not a frame). ``flush`` returns the
    runs still open when the stream stops.
    """

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], _Run] = {}

    def push(self, record: TopicRecord) -> list[TopicRecord]:
        if record.kind != AUDIO_KIND:
            return [*self._close(lambda key: key[1] == record.session), record]
        key = (record.topic, record.session)
        run = self._open.get(key)
        ended = []
        if run is not None and not run.continued_by(record):
            ended = self._close(lambda k: k == key)
            run = None
        if run is None:
            run = self._open[key] = _Run(first=record, last=record)
        run.add(record)
        return ended

    def flush(self) -> list[TopicRecord]:
        return self._close(lambda key: True)

    def _close(self, matches: Callable[[tuple[str, str]], bool]) -> list[TopicRecord]:
        keys = [key for key in self._open if matches(key)]
        return [self._open.pop(key).as_record() for key in keys]


def summarise_runs(records: Iterable[TopicRecord]) -> list[TopicRecord]:
    """``records`` with their audio frames folded into runs (see the module docstring)."""
    summariser = RunSummariser()
    out = [shown for record in records for shown in summariser.push(record)]
    return out + summariser.flush()
