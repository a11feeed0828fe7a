"""One edge process under load: outbound pacing jitter heard at the simulated caller, and
how many concurrent Media Streams it forwards to Kafka in real time.

Starts the local Kafka/Redis and one real edge process, then
1. pacing: publishes a 10 s reply at once (as tts bursts it) and records when each 20 ms
   frame reaches the caller's socket; jitter is |gap between frames - 20 ms|, overall and
   after the first 100 ms the edge sends back to back to fill Twilio's buffer;
2. forwarding: for each stream count, every stream sends a 20 ms frame every 20 ms for a
   few seconds; each frame carries its send time, read back from `parley.audio.in`.
   Real time means every frame arrived and p99 send→Kafka delay stayed under 100 ms.

    .venv/bin/python bench/edge_streams.py --streams 10 25 50 100

Writes bench/results/edge-streams-<date>.json. The caller side shares the machine's two
cores with the edge and Kafka, so the numbers are a floor for what one edge can do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import struct
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from statistics import quantiles

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from parley_bus import BusPublisher, KafkaConnection, build_broker  # noqa: E402
from parley_contracts import CallStarted  # noqa: E402

from bench.common.services import running_stack  # noqa: E402
from bench.common.streams import FRAME_S, speak  # noqa: E402
from tests.integration.edge.harness import (  # noqa: E402
    Edge,
    KafkaWatch,
    TwilioStream,
    agent_says,
    running_edge,
)

RESULTS = REPO / "bench" / "results"
PREFILL_FRAMES = 5


def percentile(values: list[float], q: int) -> float:
    return round(quantiles(values, n=100, method="inclusive")[q - 1], 2)


async def pacing(edge: Edge, kafka: KafkaWatch, replies: BusPublisher) -> dict[str, float]:
    stream = TwilioStream(edge)
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    frames = 500
    await agent_says(replies, edge.slot, stream.session_id, [b"\x55" * 160] * frames, True)
    arrivals: list[float] = []
    while len(arrivals) < frames:
        if (await stream.receive(timeout_s=5))["event"] == "media":
            arrivals.append(time.monotonic())
    await stream.stop()
    gaps = [(b - a) * 1000 for a, b in pairwise(arrivals)]
    jitter = [abs(g - FRAME_S * 1000) for g in gaps]
    # The first frames go out back to back to fill Twilio's buffer (playback ahead, 100 ms
    # by default): gaps of ~0 ms by design. The steady figures leave those out.
    steady = jitter[PREFILL_FRAMES:]
    return {
        "frames": frames,
        "jitterP50Ms": percentile(jitter, 50),
        "jitterP99Ms": percentile(jitter, 99),
        "steadyJitterP50Ms": percentile(steady, 50),
        "steadyJitterP99Ms": percentile(steady, 99),
        "maxGapMs": round(max(gaps), 2),
        "durationS": round(arrivals[-1] - arrivals[0], 3),
    }


def stamped_frame() -> bytes:
    """A frame carrying its wall-clock send time."""
    return struct.pack("!d", time.time()).ljust(160, b"\xff")


async def forwarding(
    edge: Edge, kafka: KafkaWatch, count: int, seconds: float
) -> dict[str, object]:
    streams = [TwilioStream(edge) for _ in range(count)]
    for stream in streams:
        await stream.call()
    sessions = {s.session_id for s in streams}
    first = len(kafka.messages)
    spoken = await asyncio.gather(*(speak(s, seconds, stamped_frame) for s in streams))
    sent = sum(s.sent for s in spoken)
    await asyncio.sleep(2.0)
    delays = [
        (arrived - struct.unpack("!d", value[:8])[0]) * 1000
        for (topic, key, value), arrived in zip(
            kafka.messages[first:], kafka.arrived_at[first:], strict=True
        )
        if topic == "parley.audio.in" and key in sessions
    ]
    await asyncio.gather(*(s.stop() for s in streams))
    expected = int(count * seconds / FRAME_S)
    p99 = percentile(delays, 99) if len(delays) > 1 else None
    return {
        "streams": count,
        "framesExpected": expected,
        "framesSent": sent,
        "framesForwarded": len(delays),
        "delayP50Ms": percentile(delays, 50) if len(delays) > 1 else None,
        "delayP99Ms": p99,
        "realTime": len(delays) == sent and sent >= 0.98 * expected and (p99 or 1e9) < 100,
    }


async def run(counts: list[int], seconds: float, edge: Edge, bootstrap: str) -> dict[str, object]:
    kafka = KafkaWatch(bootstrap)
    await kafka.start()
    broker = build_broker(KafkaConnection(bootstrap), client_id="bench-edge-replies")
    await broker.start()
    try:
        idle = await pacing(edge, kafka, BusPublisher(broker))
        results = [await forwarding(edge, kafka, n, seconds) for n in counts]
    finally:
        await broker.stop()
        await kafka.stop()
    return {"pacing": idle, "forwarding": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[10, 25, 50, 100])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_stack(Path(tmp)) as env,
        running_edge(env, Path(tmp) / "logs", 0, max_concurrent_calls="1000") as edge,
    ):
        result = asyncio.run(run(args.streams, args.seconds, edge, env["KAFKA_BOOTSTRAP_SERVERS"]))
    result["measuredAt"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"edge-streams-{datetime.now(UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
