from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER_CONFIG = ROOT / ".tools" / "docker"
HELM = ROOT / ".tools" / "bin" / "helm"
CHART = ROOT / "deploy" / "helm" / "parley"
CRD_DIR = ROOT / ".tools" / "crds"


def require(tool: Path) -> None:
    if not tool.exists():
        pytest.fail(f"{tool} is missing; `make deploy-tools` builds it (make test does)")


@pytest.fixture(scope="session")
def compose_config() -> dict[str, Any]:
    require(DOCKER_CONFIG / "cli-plugins" / "docker-compose")
    result = subprocess.run(
        ["docker", "compose", "config", "--format", "json"],
        cwd=ROOT,
        env={**os.environ, "DOCKER_CONFIG": str(DOCKER_CONFIG)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    require(HELM)
    return subprocess.run([str(HELM), *args], cwd=ROOT, capture_output=True, text=True, check=False)
