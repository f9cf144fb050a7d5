"""``deploy/grafana/chatops-dashboard.json`` is a Grafana dashboard whose queries name only metrics the
bot exports, scraped from a running bot, and which charts every ``chatops_`` metric it exports.

The shape checked is Grafana's classic dashboard JSON model (top-level ``title``, ``uid``,
``schemaVersion``, ``templating.list``, ``panels`` with ``type``, ``gridPos`` and ``targets[].expr``):
https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.http import build_http_app
from sandbox.http_server import BackgroundServer
from sandbox.runtime import Sandbox
from tests.spine.metrics_scrape import exported_names, scrape

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "chatops-dashboard.json"
# PromQL words that are not metric names: aggregation modifiers, set and vector-matching operators
KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (label matchers, ranges, groupings and functions left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    expr = re.sub(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b", " ", expr)
    names = set()
    for match in NAME.finditer(expr):
        if expr[match.end() :].lstrip().startswith("(") or match.group().lower() in KEYWORDS:
            continue  # a function call, or a keyword
        names.add(match.group())
    return names


def _panels(dashboard: dict) -> list[dict]:
    out = []
    for panel in dashboard["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))  # collapsed rows carry their panels
    return out


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exported(moto_sandbox) -> set[str]:
    """Every metric name a running bot exports: the sandbox's bot, with its job workers running."""
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        server = BackgroundServer(build_http_app(sandbox.bot))
        url = server.start()
        try:
            return exported_names(scrape(url))
        finally:
            server.stop()


def test_the_dashboard_has_grafana_dashboard_shape_and_a_prometheus_datasource_variable(dashboard):
    assert isinstance(dashboard["title"], str) and dashboard["title"]
    assert isinstance(dashboard["uid"], str) and isinstance(dashboard["schemaVersion"], int)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [p["id"] for p in _panels(dashboard)]
    assert len(ids) == len(set(ids))
    queries = 0
    for panel in _panels(dashboard):
        assert isinstance(panel["type"], str) and panel["title"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]) and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert isinstance(target["expr"], str) and target["expr"].strip() and target["refId"]
            assert metric_names(target["expr"]), f"{panel['title']}: {target['expr']} selects no metric"
            queries += 1
    assert queries >= 10


def test_every_metric_the_dashboard_queries_is_exported_by_the_bot(dashboard, exported):
    used = {name for panel in _panels(dashboard) for t in panel.get("targets", []) for name in metric_names(t["expr"])}
    assert used - exported == set()


def test_every_chatops_metric_the_bot_exports_has_a_panel(dashboard, exported):
    used = {name for panel in _panels(dashboard) for t in panel.get("targets", []) for name in metric_names(t["expr"])}
    families = {re.sub(r"_(total|created|bucket|sum|count)$", "", n) for n in exported if n.startswith("chatops_")}
    charted = {re.sub(r"_(total|created|bucket|sum|count)$", "", n) for n in used}
    assert families - charted == set()
    assert {"process_cpu_seconds_total", "process_resident_memory_bytes", "python_info"} <= used


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum by (outcome) (rate(chatops_requests_total{job=~"$job"}[$__rate_interval]))', {"chatops_requests_total"}),
        ("histogram_quantile(0.95, sum by (le) (rate(a_bucket[5m]))) / on(instance) b", {"a_bucket", "b"}),
        ('max(chatops_plans{status="applying"}) > 0 and up', {"chatops_plans", "up"}),
        ("process_start_time_seconds * 1000", {"process_start_time_seconds"}),
    ],
)
def test_metric_names_reads_promql(expr, names):
    assert metric_names(expr) == names
