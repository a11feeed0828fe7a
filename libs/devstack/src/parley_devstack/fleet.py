"""Runs Parley's six services as separate processes, as ``make run`` and the
end-to-end tests do, and waits until each reports ready."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
from parley_sessions import ApiKeyEntry, key_digest, new_api_key

from parley_devstack.brain import local_agent_url
from parley_devstack.ports import free_ports

# Start order matters only for the agent, which dialogue connects to at start-up.
SERVICE_NAMES = ("agent", "janitor", "stt", "tts", "dialogue", "edge")
DEFAULT_PORTS = {
    "edge": 8080,
    "stt": 8081,
    "dialogue": 8082,
    "tts": 8083,
    "janitor": 8084,
    "agent": 8090,
}


class ServiceStartError(RuntimeError):
    pass


@dataclass
class ServiceProcess:
    """One service's process, started again in place by :meth:`restart`."""

    name: str
    port: int
    log_path: Path
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] = field(init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process with a fresh log."""
        self._spawn("wb")

    def restart(self) -> None:
        """Start the process again; its log keeps what the previous one wrote."""
        with self.log_path.open("ab") as log_file:
            log_file.write(f"--- {self.name} restarted by the launcher ---\n".encode())
        self._spawn("ab")

    def exit_code(self) -> int | None:
        return self.process.poll()

    def is_ready(self) -> bool:
        try:
            return httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def _spawn(self, log_mode: str) -> None:
        with self.log_path.open(log_mode) as log_file:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_lines(self) -> list[str]:
        return (
            self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        )


# The id the launcher's own session API key is logged and rate-limited under.
LAUNCHER_KEY_ID = "parley-dev"


def new_janitor_key() -> str:
    """A new key for the launcher to read sessions with."""
    return new_api_key(LAUNCHER_KEY_ID, ["read"])[0]


def janitor_key_entry(key: str) -> str:
    """The PARLEY_JANITOR_API_KEYS entry admitting the launcher's ``key`` to read."""
    return ApiKeyEntry(LAUNCHER_KEY_ID, frozenset({"read"}), key_digest(key)).line()


def port_setting(service: str) -> str:
    return f"PARLEY_{service.upper()}_PORT"


@dataclass
class ServiceFleet:
    """The services as processes, each given one environment built in three layers:
    the fleet's defaults, under the user's ``settings``, under what the fleet must fix
    for its processes to find each other (``ports``, ``infra_env``, the agent URL and
    ``extra_env``)."""

    infra_env: dict[str, str]
    log_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    """The user's settings (the environment, for make run over .env)."""
    agent_url: str | None = None
    """What dialogue calls; None: the fleet's own agent on ``ports["agent"]``."""
    with_agent: bool = True
    """Whether the fleet starts services/agent (not when the brain is elsewhere)."""
    per_service_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """What one service gets on top of the rest, by service (e.g. its own Kafka user)."""
    janitor_api_key: str = field(default_factory=new_janitor_key)
    """A read key for the janitor's session API (the simulator reads a call's record with
    it); the janitor admits it beside any keys the settings name."""

    def service_env(self) -> dict[str, str]:
        agent_url = self.agent_url or local_agent_url(self.ports["agent"])
        defaults = {
            "PARLEY_PUBLIC_URL": f"http://127.0.0.1:{self.ports['edge']}",
            "PARLEY_JANITOR_MCP_ENDPOINT": agent_url,
            "PYTHONUNBUFFERED": "1",
        }
        fixed = {port_setting(name): str(port) for name, port in self.ports.items()}
        fixed |= {**self.infra_env, "PARLEY_AGENT_URL": agent_url, **self.extra_env}
        fixed["PARLEY_JANITOR_API_KEYS"] = self._janitor_keys({**self.settings, **fixed})
        return {**defaults, **self.settings, **fixed}

    def _janitor_keys(self, settings: Mapping[str, str]) -> str:
        """The keys the settings give the janitor, and the fleet's own beside them."""
        given = settings.get("PARLEY_JANITOR_API_KEYS", "").strip().strip(",")
        own = janitor_key_entry(self.janitor_api_key)
        return f"{given},{own}" if given else own

    def start(self, timeout_s: float = 90.0, progress: bool = True) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.service_env()
        if self.with_agent:
            self._spawn("agent", env)
            self._wait_ready(["agent"], timeout_s, progress)
        rest = [n for n in SERVICE_NAMES if n != "agent"]
        for name in rest:
            self._spawn(name, env)
        self._wait_ready(rest, timeout_s, progress)

    def add_instance(self, service: str, instance: str, port: int, timeout_s: float = 90.0) -> None:
        """Start another process of `service` (e.g. a second stt worker) as `instance`."""
        env = {**self.service_env(), f"PARLEY_{service.upper()}_PORT": str(port)}
        self._spawn(instance, env, service=service, port=port)
        self._wait_ready([instance], timeout_s, progress=False)

    def _spawn(
        self, name: str, env: dict[str, str], service: str | None = None, port: int | None = None
    ) -> None:
        process = ServiceProcess(
            name,
            port if port is not None else self.ports[name],
            self.log_dir / f"{name}.log",
            [sys.executable, "-m", f"parley_{service or name}"],
            {**env, **self.per_service_env.get(service or name, {})},
        )
        process.start()
        self.processes[name] = process

    def _wait_ready(self, names: list[str], timeout_s: float, progress: bool) -> None:
        deadline = time.monotonic() + timeout_s
        pending = set(names)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for name in sorted(pending):
                    service = self.processes[name]
                    if service.process.poll() is not None:
                        tail = "\n".join(service.log_lines()[-30:])
                        raise ServiceStartError(
                            f"{name} exited with {service.process.returncode}:\n{tail}"
                        )
                    path = "/readyz"
                    try:
                        if client.get(service.url + path).status_code == 200:
                            pending.discard(name)
                            if progress:
                                print(f"  {name:<9} ready on {service.url}", flush=True)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise ServiceStartError(
                        f"not ready after {timeout_s:.0f} s: {', '.join(sorted(pending))}"
                    )
                if pending:
                    time.sleep(0.25)

    def stop(self, grace_s: float = 10.0) -> None:
        for service in self.processes.values():
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for service in self.processes.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                service.process.wait(remaining)
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()

    def kill(self, name: str) -> None:
        """SIGKILL one service (for fault-injection tests)."""
        os.killpg(self.processes[name].process.pid, signal.SIGKILL)
        self.processes[name].process.wait()

    def error_lines(self) -> dict[str, list[str]]:
        """Log lines at ERROR or above, per service."""
        errors: dict[str, list[str]] = {}
        for name, service in self.processes.items():
            bad = []
            for line in service.log_lines():
                try:
                    level = orjson.loads(line).get("level", "")
                except orjson.JSONDecodeError:
                    level = "ERROR" if "Traceback" in line else ""
                if level in ("ERROR", "CRITICAL"):
                    bad.append(line)
            if bad:
                errors[name] = bad
        return errors

    def __enter__(self) -> ServiceFleet:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@contextlib.contextmanager
def running_fleet(
    infra_env: dict[str, str],
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    progress: bool = False,
    per_service_env: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[ServiceFleet]:
    """All six services on free ports, each its own process, ready; stopped on exit."""
    ports = dict(zip(SERVICE_NAMES, free_ports(len(SERVICE_NAMES)), strict=True))
    fleet = ServiceFleet(
        infra_env,
        log_dir,
        ports=ports,
        extra_env=extra_env or {},
        per_service_env=per_service_env or {},
    )
    try:
        fleet.start(progress=progress)
        yield fleet
    finally:
        fleet.stop()
