"""Rendering the Helm chart offline and picking objects out of the result."""

from __future__ import annotations

import subprocess
from typing import Any

import yaml

from tests.deploy.conftest import CHART, helm

# The Kubernetes version the chart is rendered for and validated against.
KUBERNETES_VERSION = "1.30.0"


def template(*args: str) -> subprocess.CompletedProcess[str]:
    return helm("template", "parley", str(CHART), "--kube-version", KUBERNETES_VERSION, *args)


def render(*args: str) -> list[dict[str, Any]]:
    result = template(*args)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def env_of(workload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    container = workload["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}
