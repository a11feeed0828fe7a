"""``parley-stack run``: the whole system in the foreground, as ``make run`` starts it.

Every setting is resolved as the services resolve it: the process environment over
``.env`` (in the current directory, where the services look for it) over the
launcher's defaults. That covers the infrastructure URLs, the service ports, the
public URL and the agent (see :mod:`parley_devstack.brain`).

A service that exits is restarted with a backoff while the rest keep running (see
:mod:`parley_devstack.supervisor`); Ctrl-C stops everything. The local Kafka, Redis and
PostgreSQL keep their data in ``<state dir>/infra`` from one run to the next (topics
are created only where missing); ``clean`` removes it first.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from parley_contracts import ALL_TOPICS

from parley_devstack.brain import Brain, choose_brain
from parley_devstack.env_file import UserSettings, write_env_file
from parley_devstack.errors import InvalidSettingError
from parley_devstack.fleet import DEFAULT_PORTS, ServiceFleet, ServiceStartError, port_setting
from parley_devstack.stack import LocalStack
from parley_devstack.supervisor import CrashLoopError, Supervisor
from parley_devstack.topics import create_topics

_SUPERVISION_INTERVAL_S = 0.5


def service_ports(settings: UserSettings) -> dict[str, int]:
    """Each service's port: the user's ``PARLEY_<SERVICE>_PORT``, else the default."""
    ports = dict(DEFAULT_PORTS)
    for name in ports:
        setting = port_setting(name)
        value = settings.get(setting)
        if value is None:
            continue
        try:
            ports[name] = int(value)
        except ValueError:
            raise InvalidSettingError(
                f"{setting}={value!r} (from {settings.source(setting)}) is not a port number; "
                "fix it or unset it to use the default"
            ) from None
    return ports


def user_fleet(
    settings: UserSettings, infra_env: dict[str, str], log_dir: Path, brain: Brain
) -> ServiceFleet:
    """The six services as the user's settings describe them."""
    return ServiceFleet(
        infra_env,
        log_dir,
        ports=service_ports(settings),
        settings=settings.merged(),
        agent_url=brain.url,
        with_agent=brain.runs_local_agent,
    )


def run_system(state_dir: Path, settings: UserSettings | None = None, clean: bool = False) -> int:
    """Start infrastructure, topics and the six services; block until SIGINT/SIGTERM."""
    settings = settings or UserSettings.load(Path.cwd() / ".env")
    brain = choose_brain(settings, service_ports(settings)["agent"])
    # Ctrl-C and SIGTERM stop everything, during start-up too (a shell that started us
    # in the background has SIGINT ignored).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    started = time.monotonic()
    stack = LocalStack(state_dir / "infra", environ=settings.merged(), keep_data=True)
    if clean:
        print(f"==> removing the local data in {stack.data_dir}", flush=True)
        stack.discard_data()
    local = ", ".join(stack.local_services())
    for name in stack.external:
        print(f"==> using {name} from your settings", flush=True)
    if local:
        print(
            f"==> starting {local} (data kept in {stack.data_dir}; "
            "`make run CLEAN=1` starts empty)",
            flush=True,
        )
    fleet: ServiceFleet | None = None
    try:
        stack.start()
        env = stack.env()
        fleet = user_fleet(settings, env, state_dir / "logs", brain)
        # Tools such as `parley inspect` find the running stack here, and `parley call`
        # the key it reads a call's record with.
        write_env_file(state_dir / "stack.env", {**env, "PARLEY_API_KEY": fleet.janitor_api_key})
        created = asyncio.run(create_topics(env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS))
        print(
            f"==> Kafka topics: {len(created)} created, {len(ALL_TOPICS) - len(created)} "
            "already there",
            flush=True,
        )
        print(f"==> brain: {brain.description}", flush=True)
        print(f"==> starting services (logs in {state_dir / 'logs'})", flush=True)
        fleet.start()
        _print_ready(fleet, env, brain, time.monotonic() - started)
        # A service that exits takes a backoff and a restart; so does a local Kafka,
        # Redis or PostgreSQL, on the same port with the same data.
        supervisor = Supervisor({**stack.processes(), **fleet.processes})
        while True:
            supervisor.check()
            time.sleep(_SUPERVISION_INTERVAL_S)
    except KeyboardInterrupt:
        print("\n==> stopping", flush=True)
        return 0
    except (ServiceStartError, CrashLoopError) as exc:
        print(f"!!  {exc}", flush=True)
        print("!!  stopping everything", flush=True)
        return 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if fleet is not None:
            fleet.stop()
        stack.stop()
        (state_dir / "stack.env").unlink(missing_ok=True)
        print("==> stopped", flush=True)


def _print_ready(fleet: ServiceFleet, env: dict[str, str], brain: Brain, elapsed_s: float) -> None:
    edge = fleet.processes["edge"].url
    public = fleet.service_env()["PARLEY_PUBLIC_URL"].rstrip("/")
    print(f"\nParley is up ({elapsed_s:.0f} s).", flush=True)
    print(f"  Twilio voice webhook : {public}/twilio/voice  (POST)")
    print(f"  Twilio status webhook: {public}/twilio/status (POST)")
    print(f"  edge                 : {edge}")
    print(f"  brain                : {brain.description}")
    print(f"  Kafka                : {env['KAFKA_BOOTSTRAP_SERVERS']}")
    print(f"  Redis                : {env['REDIS_URL']}")
    janitor = fleet.processes["janitor"].url
    print(f"  Session API          : {janitor} (a read key: PARLEY_API_KEY in stack.env)")
    target = "" if edge == "http://127.0.0.1:8080" else f" --edge-url {edge}"
    target += "" if janitor == "http://127.0.0.1:8084" else f" --janitor-url {janitor}"
    print(
        f"  Try it              : .venv/bin/parley call{target} "
        '--say "what time do you open on monday"'
    )
    print("Ctrl-C stops everything.", flush=True)
