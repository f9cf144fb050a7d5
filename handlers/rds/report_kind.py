"""The ``rds`` report kind: the weekly schedule report (hours stopped, actions, self-restarts caught,
overrides, estimated saving) with its hours chart, posted only when something changed.

``collect`` reads the schedule store in the feature's ports and, for prices, the database classes
from AWS; ``build`` is pure and uses ``handlers.rds.report`` and ``handlers.rds.chart``. Items are
the scheduled databases; hours alone (which grow every hour) do not count as a change, actions,
caught self-restarts and overrides do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import blockkit, errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg
from bot.mrkdwn import as_mrkdwn
from bot.reportkit import charts, render
from bot.reportkit.diff import diff, state_of
from bot.reportkit.model import Chart, Item, ReportContent
from handlers.base import ReportKind
from handlers.rds import inputs
from handlers.rds.chart import hours_chart
from handlers.rds.discovery import discover
from handlers.rds.inputs import ScheduleStore
from handlers.rds.report import WeeklyReport, load_prices, weekly_report
from handlers.rds.report import render as render_weekly

KIND = "rds"
WEEK = timedelta(days=7)
SECTIONS = {"db": Msg("database", "데이터베이스")}


@dataclass(frozen=True)
class RdsData:
    report: WeeklyReport
    unavailable: tuple[Msg, ...] = ()


def collect(ctx: ClusterContext, store: ScheduleStore, now: datetime) -> RdsData:
    since, until = now - WEEK, now + timedelta(seconds=1)
    actions = store.actions(since, until)
    overrides = store.overrides_created(since, until)
    targets = [(s.target_kind, s.target_id) for s in store.schedules()]
    notes: list[Msg] = []
    classes: dict[tuple[str, str], tuple[str, ...]] = {}
    try:
        inventory = discover(ctx.aws, inputs.ports(ctx).tag)
        classes = {db.key: inventory.classes_of(db) for db in inventory.databases}
    except errors.CloudError as exc:
        notes.append(
            Msg(
                f"database classes could not be read ({exc.call} {exc.code}); no saving estimate",
                f"DB 클래스를 읽을 수 없어 ({exc.call} {exc.code}) 절감액을 추정하지 않았습니다",
            )
        )
    report = weekly_report(actions, overrides, classes, load_prices(ctx.aws.region), since, now, targets)
    return RdsData(report, tuple(notes))


def items(report: WeeklyReport) -> list[Item]:
    out = []
    for r in report.rows:
        label = Msg(
            f"{r.target_kind} {r.target_id}: {r.actions} actions, {r.self_restarts} self-restarts caught, "
            f"{r.overrides} overrides",
            f"{r.target_id}: 작업 {r.actions}건, 자동 재시작 차단 {r.self_restarts}건, 실행 유지 {r.overrides}건",
        )
        out.append(
            Item(
                f"rds|{r.target_kind}|{r.target_id}",
                "db",
                label,
                fields={"actions": r.actions, "self_restarts": r.self_restarts, "overrides": r.overrides},
            )
        )
    return out


def build(data: RdsData, previous_state: Mapping[str, Any] | None, now: datetime, lang: str) -> ReportContent:
    d = diff(items(data.report), previous_state, now)
    state = state_of(d, now)
    title = Msg("RDS schedules", "RDS 스케줄")(lang)
    if d.unchanged:
        return ReportContent(KIND, render.unchanged_line(title, d, lang, now), (), state, changed=False)
    body = render_weekly(data.report, lang)
    intro = [blockkit.section(body), *(blockkit.context("⚠️ " + as_mrkdwn(m, lang)) for m in data.unavailable)]
    drawn = bool(data.report.rows) and charts.available()
    if data.report.rows and not drawn:
        intro.append(blockkit.context(charts.NOT_AVAILABLE(lang)))
    text, blocks = render.report_blocks(
        f"{title} · {now:%Y-%m-%d %H:%M}",
        d,
        lang,
        now,
        SECTIONS,
        intro,
        show_still=False,
        all_clear=Msg("No database is scheduled.", "스케줄된 DB 가 없습니다."),
    )
    drawings = (
        (Chart(f"rds-hours-{now:%Y%m%d-%H%M}.png", "RDS hours stopped vs running", hours_chart(data.report)),)
        if drawn
        else ()
    )
    return ReportContent(KIND, f"{text}\n{body}"[:3000], tuple(blocks), state, changed=True, charts=drawings)


def build_report(
    ctx: ClusterContext, previous_state: Mapping[str, Any] | None, now: datetime, lang: str
) -> ReportContent:
    """The report for the default cluster; where the process keeps no schedule store, a line that says
    RDS scheduling is not available (and the previous state, so nothing counts as resolved)."""
    store = inputs.ports(ctx).store
    if store is None:
        text = Msg("RDS scheduling not available.", "RDS 스케줄 기능을 사용할 수 없습니다.")(lang)
        return ReportContent(KIND, text, (), dict(previous_state or {}), changed=False)
    return build(collect(ctx, store, now), previous_state, now, lang)


REPORT = ReportKind(KIND, build_report)
