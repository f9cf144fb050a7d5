"""Charts are the ``charts`` extra: without matplotlib a report is still built and posted, without its
PNG, and says in the reader's language that the chart is not available.

"Without matplotlib" is made real for the test by hiding the module (``sys.modules[name] = None``
is how Python marks a module as not importable); the fresh-venv install in
``tests/production/test_packaging.py`` checks the same on an install that really lacks it.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.reportkit import charts
from bot.reports import health
from handlers.rds import report_kind as rds
from handlers.rds.model import ActionRecord
from handlers.rds.report import load_prices, weekly_report

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NOT_READY_POD = {
    "metadata": {"namespace": "web", "name": "old", "creationTimestamp": "2026-11-25T00:00:00Z"},
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": "2026-11-25T00:00:00Z"}],
    },
}


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def _health(lang: str):
    data = health.HealthData("prod", (NOT_READY_POD,), not_ready_minutes=10)
    return health.build(data, None, NOW, lang)


def _rds(lang: str):
    since = NOW - timedelta(days=7)
    acts = [ActionRecord(since + timedelta(hours=1), "instance", "billing-db", "stop", "schedule", "ok")]
    report = weekly_report(acts, [], {}, load_prices(), since, NOW, targets=[("instance", "billing-db")])
    assert report.rows
    return rds.build(rds.RdsData(report), None, NOW, lang)


def _blocks(content) -> str:
    return json.dumps(content.blocks, ensure_ascii=False)


@pytest.mark.parametrize("build", [_health, _rds], ids=["health", "rds"])
def test_without_the_charts_extra_the_report_says_the_chart_is_not_available(no_matplotlib, build):
    assert not charts.available()
    for lang in ("en", "ko"):
        content = build(lang)
        assert content.changed and content.charts == ()
        assert charts.NOT_AVAILABLE(lang) in _blocks(content)
    assert "Chart not available" in charts.NOT_AVAILABLE("en")
    assert "차트를 표시할 수 없습니다" in charts.NOT_AVAILABLE("ko")


@pytest.mark.parametrize("build", [_health, _rds], ids=["health", "rds"])
def test_with_the_charts_extra_the_report_carries_its_png_and_no_such_note(build):
    pytest.importorskip("matplotlib", reason="the charts extra is not installed here")
    assert charts.available()
    for lang in ("en", "ko"):
        content = build(lang)
        assert [c.png[:8] for c in content.charts] == [b"\x89PNG\r\n\x1a\n"]
        assert charts.NOT_AVAILABLE(lang) not in _blocks(content)
