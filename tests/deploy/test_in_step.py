"""docker-compose.yml and the Helm chart configure each service the same way."""

from __future__ import annotations

from typing import Any

from tests.deploy.chart import by_kind, env_of, render
from tests.deploy.settings_catalogue import SETTINGS, default_values
from tests.deploy.test_compose import PARLEY_SERVICES


def chart_variables() -> dict[str, set[str]]:
    """Per service: what its container gets from the ConfigMap and its own env."""
    docs = render()
    workloads = {**by_kind(docs, "Deployment"), **by_kind(docs, "StatefulSet")}
    config = set(by_kind(docs, "ConfigMap")["parley-config"]["data"])
    return {s: config | set(env_of(workloads[f"parley-{s}"])) for s in PARLEY_SERVICES}


def test_what_compose_sets_the_chart_sets_too(compose_config: dict[str, Any]) -> None:
    """Unless compose merely spells out the code's default."""
    chart = chart_variables()
    for service in PARLEY_SERVICES:
        environment: dict[str, str] = compose_config["services"][service]["environment"]
        defaults = default_values(service) if service in SETTINGS else {}
        missing = {
            name
            for name, value in environment.items()
            if name not in chart[service] and defaults.get(name) != value
        }
        assert missing == set(), f"{service}: set by compose but not by the chart"
