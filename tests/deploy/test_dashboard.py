"""The Grafana dashboard only charts metrics the services actually export."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

from prometheus_client import REGISTRY

from tests.deploy.conftest import ROOT

METRIC_MODULES = [
    "parley_edge.metrics",
    "parley_stt.metrics",
    "parley_dialogue.metrics",
    "parley_tts.metrics",
    "parley_janitor.metrics",
    "parley_bus.decoding",
    "parley_bus.lag",
]
DASHBOARD = ROOT / "deploy" / "grafana" / "parley-dashboard.json"
_NAME = re.compile(r"\b((?:voice|twilio|stt|tts|dialogue|janitor|parley|edge)_[a-z_]+)")


def load_dashboard() -> dict[str, Any]:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return dashboard


def exported_metric_names() -> set[str]:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update({family.name, f"{family.name}_total", f"{family.name}_bucket"})
    return names


def test_every_dashboard_query_uses_an_exported_metric() -> None:
    dashboard = load_dashboard()
    exported = exported_metric_names()
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in _NAME.findall(target["expr"])
    }
    assert used, "the dashboard charts nothing"
    assert used - exported == set()


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    dashboard = load_dashboard()
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        pos = panel["gridPos"]
        area = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        assert not cells & area, f"{panel['title']} overlaps another panel"
        cells |= area
