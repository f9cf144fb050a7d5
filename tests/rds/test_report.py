"""The weekly report from a fixture action log, and its PNG chart."""

from __future__ import annotations

from datetime import datetime

from handlers.rds.chart import hours_chart
from handlers.rds.model import ActionRecord
from handlers.rds.report import hours, load_prices, render, weekly_report
from handlers.rds.schedule import Override
from tests.rds.helpers import load


def _log():
    raw = load("action_log.json")
    acts = [
        ActionRecord(
            datetime.fromisoformat(a["at"]),
            a["target_kind"],
            a["target_id"],
            a["action"],
            a["cause"],
            a["result"],
        )
        for a in raw["actions"]
    ]
    return acts, datetime.fromisoformat(raw["since"]), datetime.fromisoformat(raw["until"])


def test_hours_follow_the_action_log():
    acts, since, until = _log()
    # 4 weekday nights of 12 h + Friday 20:00 KST to the end of the week (61 h); the self-restart
    # was caught at once and the refused row changes nothing.
    assert hours(acts, since, until) == (109.0, 59.0)
    assert hours([], since, until) == (0.0, 168.0)


def test_weekly_report_numbers_and_text():
    acts, since, until = _log()
    prices = load_prices()
    assert prices.as_of and "ESTIMATE" in prices.label.en and prices.label.ko
    ovr = [Override("cluster", "portal", until, "patch night")]
    rep = weekly_report(
        acts,
        ovr,
        {("cluster", "portal"): ("db.r6g.large",), ("instance", "billing-db"): ("db.x9.unknown",)},
        prices,
        since,
        until,
        targets=[("instance", "billing-db")],
    )
    portal = next(r for r in rep.rows if r.target_id == "portal")
    assert (portal.actions, portal.self_restarts, portal.overrides) == (10, 1, 1)
    assert portal.saving == round(109.0 * prices.hourly["db.r6g.large"], 2)
    billing = next(r for r in rep.rows if r.target_id == "billing-db")
    assert billing.saving is None and billing.hours_running == 168.0
    text_en, text_ko = render(rep, "en"), render(rep, "ko")
    assert "portal: stopped 109.0h / running 59.0h, 10 actions, 1 self-restarts caught" in text_en
    assert "billing-db" in text_en and "no price" in text_en
    assert "자동 재시작 차단 1건" in text_ko and "추정치" in text_ko
    assert rep.total_saving == portal.saving


def test_chart_is_a_png():
    acts, since, until = _log()
    rep = weekly_report(acts, [], {}, load_prices(), since, until)
    png = hours_chart(rep)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
