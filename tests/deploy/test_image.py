"""The Dockerfile's install step yields every command compose and the chart run.

There is no Docker engine here, so the test repeats the image's `uv sync` line on a copy
of what the Dockerfile copies, then looks for the console scripts.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.deploy.chart import by_kind, render
from tests.deploy.conftest import ROOT

UV = ROOT / ".tools" / "bin" / "uv"


def dockerfile_lines(prefix: str) -> list[list[str]]:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    return [shlex.split(line)[1:] for line in lines if line.startswith(prefix)]


def build_virtualenv(destination: Path) -> Path:
    copies = [args for args in dockerfile_lines("COPY ") if not args[0].startswith("--from")]
    for *sources, _ in copies:
        for name in sources:
            path = ROOT / name
            if path.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
                shutil.copytree(path, destination / name, ignore=ignore)
            else:
                shutil.copy(path, destination / name)
    (sync,) = dockerfile_lines("RUN uv sync")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    result = subprocess.run(
        [str(UV), *sync[1:]],
        cwd=destination,
        env={**env, "UV_PYTHON_DOWNLOADS": "never", "UV_LINK_MODE": "symlink"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return destination / ".venv" / "bin"


def commands_run(compose_config: dict[str, Any]) -> set[str]:
    commands = {
        service["command"][0]
        for service in compose_config["services"].values()
        if service.get("image") == "parley:local"
    }
    for kind in ("Deployment", "StatefulSet", "Job"):
        for workload in by_kind(render(), kind).values():
            commands.add(workload["spec"]["template"]["spec"]["containers"][0]["command"][0])
    return commands


def test_the_image_has_every_command_compose_and_the_chart_run(
    compose_config: dict[str, Any], tmp_path: Path
) -> None:
    commands = commands_run(compose_config)
    assert {"parley-edge", "parley-agent", "parley-stack"} <= commands
    bin_dir = build_virtualenv(tmp_path)
    assert {c for c in commands if not (bin_dir / c).exists()} == set()
    # The default command, and the user the chart's pods run as.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["parley-edge"]' in dockerfile
    assert "USER 10001:10001" in dockerfile
