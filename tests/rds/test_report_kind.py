"""The ``rds`` report kind reads the schedule store in the feature's ports; without one it says so."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest.mock import Mock

from bot.cloud.context import ClusterContext, FeaturePorts
from handlers.rds.inputs import RdsPorts
from handlers.rds.report_kind import REPORT

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_without_a_schedule_store_the_report_says_scheduling_is_unavailable_and_keeps_its_state() -> None:
    ctx = ClusterContext(aws=Mock(), kube=Mock(), cluster_name="prod", ports=FeaturePorts(RdsPorts()))
    previous = {"items": {"rds|cluster|orders": {"h": "abc"}}}

    en = REPORT.build(ctx, previous, NOW, "en")
    ko = REPORT.build(ctx, previous, NOW, "ko")

    assert (en.text, en.changed, en.state) == ("RDS scheduling not available.", False, previous)
    assert ko.text == "RDS 스케줄 기능을 사용할 수 없습니다."
    assert ctx.aws.method_calls == []
