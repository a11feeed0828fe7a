"""The Grafana dashboard only charts metrics the services actually export."""

from __future__ import annotations

import importlib
import json
import re

from prometheus_client import REGISTRY

from tests.deploy.conftest import ROOT

METRIC_MODULES = [
    "parley_edge.metrics",
    "parley_stt.metrics",
    "parley_dialogue.metrics",
    "parley_tts.metrics",
    "parley_janitor.metrics",
    "parley_bus.decoding",
]
_NAME = re.compile(r"\b((?:voice|twilio|stt|tts|dialogue|janitor|parley|edge)_[a-z_]+)")


def exported_metric_names() -> set[str]:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update({family.name, f"{family.name}_total", f"{family.name}_bucket"})
    return names


def test_every_dashboard_query_uses_an_exported_metric() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "parley-dashboard.json").read_text())
    exported = exported_metric_names()
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in _NAME.findall(target["expr"])
    }
    assert used, "the dashboard charts nothing"
    assert used - exported == set()
