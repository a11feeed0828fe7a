"""Audio frames summarised into runs, so one call reads as a few dozen lines.

Audio travels as 20 ms frames, 50 a second each way: a 12 s call is some 600 frames,
which would bury its handful of events. A run is the consecutive frames of one topic
(direction) and session, with each frame's seq one more than the last and, on
``parley.audio.out``, the same turn and sentence (segment). A run ends when seq jumps,
the turn or segment changes, or another event of its session comes between; frames of
the other direction do not end it, so caller audio heard while the agent speaks stays
one run. A run prints once it has ended, in its place among its session's events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from parley_audio.framing import duration_ms

from parley_ops.records import AUDIO_KIND, TopicRecord, level_dbfs

RUN_KIND = "audio.run"
# Fields every frame of a run shares, carried from its first frame.
_SHARED_FIELDS = ("turn", "segment", "slot")


@dataclass(eq=False)  # runs are told apart by identity
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

    ``push`` each record in the order it is printed; it returns what can be printed now.
    Within a session everything keeps the order in which it started: a run that ends
    waits for the session's earlier runs still open (the caller's audio goes on while
    the agent speaks a sentence), and an event waits for none, since it ends them all.
    ``flush`` returns what is left when the stream stops.
    """

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], _Run] = {}
        self._queued: dict[str, list[_Run | TopicRecord]] = {}

    def push(self, record: TopicRecord) -> list[TopicRecord]:
        session = record.session
        queue = self._queued.setdefault(session, [])
        if record.kind != AUDIO_KIND:
            for key in [k for k in self._open if k[1] == session]:
                del self._open[key]
            queue.append(record)
            return self._drain(session)
        key = (record.topic, session)
        run = self._open.get(key)
        if run is None or not run.continued_by(record):
            run = self._open[key] = _Run(first=record, last=record)
            queue.append(run)
        run.add(record)
        return self._drain(session)

    def flush(self) -> list[TopicRecord]:
        self._open.clear()
        return [shown for session in list(self._queued) for shown in self._drain(session)]

    def _drain(self, session: str) -> list[TopicRecord]:
        queue, shown = self._queued[session], []
        while queue and not (isinstance(queue[0], _Run) and queue[0] in self._open.values()):
            head = queue.pop(0)
            shown.append(head.as_record() if isinstance(head, _Run) else head)
        if not queue:
            del self._queued[session]
        return shown


def summarise_runs(records: Iterable[TopicRecord]) -> list[TopicRecord]:
    """``records`` with their audio frames folded into runs (see the module docstring)."""
    summariser = RunSummariser()
    out = [shown for record in records for shown in summariser.push(record)]
    return out + summariser.flush()
