"""What tracing costs per Kafka message, off (the default) and on.

For each message a producer opens a span and injects `traceparent` into the headers,
and a consumer extracts it and runs its handler inside that context: the work
libs/telemetry adds to every traced hop. Each mode runs in its own process, since a
process installs its tracer provider once; "on" uses the console exporter writing to
/dev/null (batched, as OTLP would be), so it includes span serialisation.

    .venv/bin/python bench/tracing_overhead.py --messages 20000

Writes bench/results/tracing-overhead-<date>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


async def _bare_hops(messages: int) -> float:
    """The same loop without any tracing call: the baseline the overhead is measured on."""

    async def handler() -> None:
        pass

    started = time.perf_counter()
    for _ in range(messages):
        headers = {"content-type": "application/vnd.parley.event+json"}
        headers.get("traceparent")
        await handler()
    return (time.perf_counter() - started) / messages * 1e6


async def _hops(messages: int) -> float:
    from parley_telemetry import inject_trace_context, traced_job, tracer

    async def handler() -> None:
        with tracer().start_as_current_span("consume"):
            pass

    started = time.perf_counter()
    for _ in range(messages):
        headers = {"content-type": "application/vnd.parley.event+json"}
        with tracer().start_as_current_span("produce"):
            inject_trace_context(headers)
        await traced_job(headers, handler)()
    return (time.perf_counter() - started) / messages * 1e6


def measure(messages: int) -> None:
    """Child process: configure tracing from the environment, report µs per hop on stderr."""
    from parley_telemetry import configure_tracing, shutdown_tracing

    enabled = configure_tracing("bench")
    asyncio.run(_hops(messages // 10))  # warm-up
    per_hop_us = asyncio.run(_hops(messages))
    bare_us = asyncio.run(_bare_hops(messages))
    shutdown_tracing()
    result = {
        "tracing": enabled,
        "usPerHop": round(per_hop_us, 2),
        "usAddedPerHop": round(per_hop_us - bare_us, 2),
    }
    print(json.dumps(result), file=sys.stderr)


def run_mode(exporter: str, messages: int) -> dict[str, object]:
    env = {**os.environ, "OTEL_TRACES_EXPORTER": exporter}
    child = subprocess.run(
        [sys.executable, __file__, "--child", "--messages", str(messages)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(child.stderr.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.messages)
        return
    off = run_mode("none", args.messages)
    on = run_mode("console", args.messages)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "messages": args.messages,
        "off": off,
        "on": on,
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"tracing-overhead-{datetime.now(UTC).date()}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"tracing adds {off['usAddedPerHop']} µs per hop when off, "
        f"{on['usAddedPerHop']} µs when on  ({out})"
    )


if __name__ == "__main__":
    main()
