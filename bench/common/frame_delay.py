"""Inbound frame delay as a cheap stand-in for stt: edge receive -> consume, and loss.

Runs as its own process (``python -m bench.common.frame_delay BOOTSTRAP``) so that the
load generator's CPU does not delay its reads. It reads ``parley.audio.in`` without a
consumer group from the end, says ``ready`` on stdout, and for every frame compares the
edge's receive stamp (``recv`` header, epoch ms) with the time it read the frame and
records the session's sequence numbers. When a line with a JSON list of session ids
arrives on stdin it reads on until the topic is quiet for a second, then prints one JSON
object for those sessions and exits. It does no recognition: a real stt worker also
decodes, so this is the transport's share of stt's ``stt_inbound_frame_delay_ms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from parley_bus.broker import FETCH_MAX_WAIT_MS
from parley_contracts import AUDIO_IN

from bench.common.stats import summarise

REPO = Path(__file__).resolve().parents[2]
QUIET_S = 1.0
SAMPLE = 4000
"""Delays handed back for plotting: every n-th, about this many."""
WARM_UP = 50
"""Frames per session (its first second) whose delay is reported apart: the first
frames of a new call wait on one-off work (producer metadata, fetch sessions)."""


@dataclass
class FrameLedger:
    seqs: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    delays_by_session: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    in_edge_by_session: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Edge receive -> the record's timestamp, which the edge's producer sets when the
    frame is handed to it: the part of the delay spent inside the edge process."""

    def record(self, headers: dict[str, bytes], produced_at_ms: int, read_at_ms: float) -> None:
        session, received_at_ms = headers["session"].decode(), int(headers["recv"])
        self.seqs[session].append(int(headers["seq"]))
        self.delays_by_session[session].append(read_at_ms - received_at_ms)
        self.in_edge_by_session[session].append(produced_at_ms - received_at_ms)

    def report(self, sessions: list[str]) -> dict[str, Any]:
        delays = [d for s in sessions for d in self.delays_by_session.get(s, [])[WARM_UP:]]
        warm_up = [d for s in sessions for d in self.delays_by_session.get(s, [])[:WARM_UP]]
        in_edge = [d for s in sessions for d in self.in_edge_by_session.get(s, [])[WARM_UP:]]
        received = {s: sorted(set(self.seqs.get(s, []))) for s in sessions}
        gaps = sum(seq[-1] - seq[0] + 1 - len(seq) for seq in received.values() if seq)
        duplicates = sum(len(self.seqs.get(s, [])) - len(received[s]) for s in sessions)
        return {
            "framesRead": sum(len(seq) for seq in received.values()),
            "lastSeq": {s: (seq[-1] if seq else 0) for s, seq in received.items()},
            "sequenceGaps": gaps,
            "duplicates": duplicates,
            "delayMs": summarise(delays),
            "delaySampleMs": [round(d, 1) for d in delays[:: max(1, len(delays) // SAMPLE)]],
            "warmUpDelayMs": summarise(warm_up),
            "inEdgeDelayMs": summarise(in_edge),
        }


async def _watch(bootstrap: str) -> None:
    # Fetch settings as the stt workers have them (parley_bus), so reads wait as theirs do.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=FETCH_MAX_WAIT_MS
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(AUDIO_IN.name, p) for p in range(AUDIO_IN.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:
            await consumer.position(partition)
        print("ready", flush=True)
        ledger = FrameLedger()
        wanted = asyncio.create_task(asyncio.to_thread(sys.stdin.readline))
        quiet_since = time.monotonic()
        while not (wanted.done() and time.monotonic() - quiet_since > QUIET_S):
            batches = await consumer.getmany(timeout_ms=100, max_records=5000)
            read_at_ms = time.time() * 1000
            for records in batches.values():
                for record in records:
                    ledger.record(dict(record.headers), record.timestamp, read_at_ms)
            if batches:
                quiet_since = time.monotonic()
        print(json.dumps(ledger.report(json.loads(wanted.result()))), flush=True)
    finally:
        await consumer.stop()


class FrameDelayWatch:
    """The parent's handle on a watch process (see the module doc)."""

    def __init__(self, bootstrap: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.common.frame_delay", bootstrap],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self) -> None:
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if line != "ready":
            self.close()
            raise RuntimeError(f"frame delay watch did not start (said {line!r})")

    def report(self, sessions: list[str], timeout_s: float = 60.0) -> dict[str, Any]:
        out, _ = self._process.communicate(json.dumps(sessions) + "\n", timeout=timeout_s)
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(5)


if __name__ == "__main__":
    asyncio.run(_watch(sys.argv[1]))
