"""``parley-stack run``: the whole system in the foreground, as ``make run`` starts it."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path

from parley_contracts import ALL_TOPICS

from parley_devstack.env_file import write_env_file
from parley_devstack.fleet import DEFAULT_PORTS, ServiceFleet, ServiceStartError
from parley_devstack.stack import LocalStack
from parley_devstack.topics import create_topics


def run_system(state_dir: Path) -> int:
    """Start infrastructure, topics and the six services; block until SIGINT/SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    started = time.monotonic()
    print("==> starting Kafka, Redis and PostgreSQL", flush=True)
    stack = LocalStack(state_dir / "infra")
    fleet: ServiceFleet | None = None
    try:
        stack.start()
        env = stack.env()
        # Tools such as `parley inspect` find the running stack here.
        write_env_file(state_dir / "stack.env", env)
        print("==> creating Kafka topics", flush=True)
        asyncio.run(create_topics(env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS))
        print("==> starting services (logs in .stack/logs/)", flush=True)
        fleet = ServiceFleet(env, state_dir / "logs", ports=dict(DEFAULT_PORTS))
        fleet.start()
        _print_ready(fleet, env, time.monotonic() - started)
        while not stop.is_set():
            crashed = [s.name for s in fleet.processes.values() if s.process.poll() is not None]
            if crashed:
                print(
                    f"!!  service exited: {', '.join(crashed)} (see .stack/logs/); stopping",
                    flush=True,
                )
                return 1
            stop.wait(1.0)
        print("\n==> stopping", flush=True)
        return 0
    except ServiceStartError as exc:
        print(f"!!  {exc}", flush=True)
        return 1
    finally:
        if fleet is not None:
            fleet.stop()
        stack.stop()
        (state_dir / "stack.env").unlink(missing_ok=True)
        print("==> stopped", flush=True)


def _print_ready(fleet: ServiceFleet, env: dict[str, str], elapsed_s: float) -> None:
    edge = fleet.processes["edge"].url
    public = fleet.service_env()["PARLEY_PUBLIC_URL"].rstrip("/")
    print(f"\nParley is up ({elapsed_s:.0f} s).", flush=True)
    print(f"  Twilio voice webhook : {public}/twilio/voice  (POST)")
    print(f"  Twilio status webhook: {public}/twilio/status (POST)")
    print(f"  edge                 : {edge}")
    print(f"  Kafka                : {env['KAFKA_BOOTSTRAP_SERVERS']}")
    print(f"  Redis                : {env['REDIS_URL']}")
    print('  Try it              : .venv/bin/parley call --say "what time do you open on monday"')
    print("Ctrl-C stops everything.", flush=True)
