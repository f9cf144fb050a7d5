"""Reports: labels built from plans and pods are escaped; the people they mention are still mentioned,
also on the next run, when an item that went away is listed as resolved from the stored state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.domain import Msg
from bot.reports import approvals, audit

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TITLE = Msg("Restart <!channel> <https://evil.example|click>", "재시작 <!channel> <https://evil.example|click>")


def _texts(content) -> str:
    return content.text + json.dumps(content.blocks, ensure_ascii=False)


def test_an_approvals_report_escapes_the_plan_title_and_mentions_the_requester():
    plan = approvals.WaitingPlan(
        7, TITLE, "high", "cloudon/api", "U_DEV", NOW - timedelta(minutes=5), NOW + timedelta(minutes=50), 1, 2
    )
    data = approvals.ApprovalsData((plan,), "<!subteam^S0OPS>")
    first = approvals.build(data, None, NOW, "en")
    text = _texts(first)
    assert "<!channel>" not in text and "<https://evil.example|click>" not in text
    assert "&lt;!channel&gt;" in text and "<@U_DEV>" in text and "<!subteam^S0OPS>" in text
    # next run: the plan is gone; its line comes back from the stored state, still a mention, still escaped
    gone = approvals.build(approvals.ApprovalsData((), "<!subteam^S0OPS>"), first.state, NOW, "en")
    resolved = _texts(gone)
    assert "<@U_DEV>" in resolved and "<!channel>" not in resolved and "&lt;!channel&gt;" in resolved


def test_an_audit_report_escapes_titles_and_mentions_the_approvers():
    change = audit.Change(3, "pods", TITLE, "applied", NOW - timedelta(hours=1), ("U_OPS", "<!here>"))
    content = audit.build(audit.AuditData((change,), NOW - timedelta(days=7), NOW), None, NOW, "ko")
    text = _texts(content)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "<@U_OPS>" in text and "&lt;!here&gt;" in text and "&lt;!channel&gt;" in text
