"""The launcher's supervisor on real processes that exit: restarts with a doubling
backoff, the rest left running, a reset after a healthy run, and a loud give-up.

Time is a clock the test moves, so each step of the policy is checked exactly."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_devstack.fleet import ServiceProcess
from parley_devstack.ports import free_port
from parley_devstack.supervisor import CrashLoopError, RestartPolicy, Supervisor

CRASHES = "import sys; print('ran', flush=True); sys.exit(3)"
RUNS = "import time; time.sleep(600)"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def service(tmp_path: Path, name: str, code: str) -> ServiceProcess:
    process = ServiceProcess(
        name, 0, tmp_path / f"{name}.log", [sys.executable, "-c", code], dict(os.environ)
    )
    process.start()
    return process


@pytest.fixture
def services() -> Iterator[dict[str, ServiceProcess]]:
    running: dict[str, ServiceProcess] = {}
    yield running
    for process in running.values():
        process.process.kill()
        process.process.wait()


def settle(process: ServiceProcess) -> None:
    """Wait for a crashing process to have exited (it exits at once)."""
    process.process.wait(timeout=30)


def make(
    services: dict[str, ServiceProcess], policy: RestartPolicy | None = None
) -> tuple[Supervisor, Clock, list[str]]:
    clock, said = Clock(), list[str]()
    supervisor = Supervisor(services, policy or RestartPolicy(), clock=clock, say=said.append)
    supervisor.check()  # first sight of every service: they were just started
    return supervisor, clock, said


def crash_and_restart(supervisor: Supervisor, clock: Clock, process: ServiceProcess) -> float:
    """Let the process crash, run the supervisor until it restarts it; the delay it took."""
    settle(process)
    supervisor.check()
    noticed, pid = clock.now, process.process.pid
    while process.process.pid == pid:
        clock.now += 0.5
        supervisor.check()
    return clock.now - noticed


def test_a_crashed_service_is_restarted_after_a_doubling_delay(
    tmp_path: Path, services: dict[str, ServiceProcess]
) -> None:
    services["dialogue"] = dialogue = service(tmp_path, "dialogue", CRASHES)
    supervisor, clock, said = make(services)

    delays = [crash_and_restart(supervisor, clock, dialogue) for _ in range(6)]

    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    settle(dialogue)
    assert dialogue.log_path.read_text().count("ran\n") == 7  # earlier runs' output kept
    assert said[0].startswith("!!  dialogue exited (exit code 3) after 0 s; restarting it in 1 s")
    assert "==> dialogue restarted" in said


def test_the_other_services_keep_running(
    tmp_path: Path, services: dict[str, ServiceProcess]
) -> None:
    services["stt"] = stt = service(tmp_path, "stt", RUNS)
    services["dialogue"] = dialogue = service(tmp_path, "dialogue", CRASHES)
    supervisor, clock, _ = make(services)
    stt_pid = stt.process.pid

    crash_and_restart(supervisor, clock, dialogue)

    assert stt.process.pid == stt_pid
    assert stt.exit_code() is None


def test_a_healthy_run_starts_the_backoff_again(
    tmp_path: Path, services: dict[str, ServiceProcess]
) -> None:
    services["tts"] = tts = service(tmp_path, "tts", CRASHES)
    supervisor, clock, _ = make(services)
    assert [crash_and_restart(supervisor, clock, tts) for _ in range(3)] == [1.0, 2.0, 4.0]

    clock.now += 60  # the third restart ran a minute before it crashed

    assert crash_and_restart(supervisor, clock, tts) == 1.0


def test_a_service_that_keeps_crashing_is_given_up_on(
    tmp_path: Path, services: dict[str, ServiceProcess]
) -> None:
    services["edge"] = edge = service(tmp_path, "edge", CRASHES)
    policy = RestartPolicy(max_crashes_in_a_row=3)
    supervisor, clock, _ = make(services, policy)
    crash_and_restart(supervisor, clock, edge)
    crash_and_restart(supervisor, clock, edge)
    settle(edge)

    with pytest.raises(CrashLoopError) as raised:
        supervisor.check()

    message = str(raised.value)
    assert "edge crashed 3 times in a row" in message
    assert "exit code 3" in message
    assert str(edge.log_path) in message
    assert "ran" in message  # the log's last lines


def test_a_killed_service_is_named_by_its_signal(
    tmp_path: Path, services: dict[str, ServiceProcess]
) -> None:
    services["janitor"] = janitor = service(tmp_path, "janitor", RUNS)
    supervisor, clock, said = make(services)
    clock.now += 120
    janitor.process.kill()

    assert crash_and_restart(supervisor, clock, janitor) == 1.0
    assert said[0].startswith("!!  janitor exited (killed by SIGKILL) after 120 s")


def test_a_restarted_service_is_announced_once_it_is_ready(
    tmp_path: Path, services: dict[str, ServiceProcess]
) -> None:
    port = free_port()
    serves_readyz = (
        "import http.server, sys\n"
        "class Ready(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200); self.end_headers()\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), Ready).serve_forever()\n"
    )
    agent = ServiceProcess(
        "agent", port, tmp_path / "agent.log", [sys.executable, "-c", serves_readyz], {}
    )
    agent.start()
    services["agent"] = agent
    supervisor, clock, said = make(services)
    agent.process.kill()
    crash_and_restart(supervisor, clock, agent)

    while "==> agent is ready again" not in said:
        assert agent.exit_code() is None, agent.log_path.read_text()
        supervisor.check()

    assert said.count("==> agent is ready again") == 1
