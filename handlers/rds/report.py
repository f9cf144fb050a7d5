"""The weekly RDS schedule report: per database, hours stopped vs running, actions, self-restarts
caught, overrides and an estimated saving. Pure except ``load_prices`` (reads the shipped table).

The hours come from the action log (``rds_actions``): every ``ok`` stop/start and every observed
auto-start changes the state; before the first change in the week the state is the opposite of
that change. Prices come from ``prices.json``, one table per region with its source and date, and are
labelled as an estimate; a region the file does not list is priced from its ``fallback`` region and
the report says "estimated from <region> prices", never silently another region's figures.
Called by the report job (bot layer), which posts the text and ``handlers.rds.chart`` PNG.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.domain import Msg
from handlers.rds.model import ActionRecord
from handlers.rds.schedule import Override

PRICES = Path(__file__).with_name("prices.json")


@dataclass(frozen=True)
class PriceTable:
    hourly: Mapping[str, float]
    currency: str
    region: str
    as_of: str
    label: Msg
    source: str = ""
    estimated_from: str = ""  # the region whose figures stand in for ``region``'s; '' when they are its own

    def per_hour(self, classes: Iterable[str]) -> float | None:
        prices = [self.hourly.get(c) for c in classes]
        if not prices or any(p is None for p in prices):
            return None
        return float(sum(p for p in prices if p is not None))


def load_prices(region: str = "", path: Path = PRICES) -> PriceTable:
    """The price table of ``region``; for a region the file does not list, the fallback region's,
    marked ``estimated_from`` it. No region given: the fallback region's own table."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    fallback = raw["fallback"]
    own = region in raw["regions"]
    table = raw["regions"][region if own else fallback]
    return PriceTable(
        table["hourly"],
        table["currency"],
        region or fallback,
        table["as_of"],
        Msg(table["label"], table["label_ko"]),
        table.get("source", ""),
        "" if own or not region else fallback,
    )


@dataclass(frozen=True)
class DbWeek:
    target_kind: str
    target_id: str
    hours_stopped: float
    hours_running: float
    actions: int
    self_restarts: int
    overrides: int
    per_hour: float | None
    saving: float | None


@dataclass(frozen=True)
class WeeklyReport:
    since: datetime
    until: datetime
    rows: tuple[DbWeek, ...]
    prices: PriceTable

    @property
    def total_saving(self) -> float:
        return round(sum(r.saving or 0.0 for r in self.rows), 2)


def hours(records: Sequence[ActionRecord], since: datetime, until: datetime) -> tuple[float, float]:
    """(hours stopped, hours running) in [since, until) from one target's state changes."""
    changes = sorted(
        (
            r
            for r in records
            if r.result in ("ok", "observed") and r.action in ("stop", "start") and since <= r.at < until
        ),
        key=lambda r: r.at,
    )
    state = ("running" if changes[0].action == "stop" else "stopped") if changes else "running"
    stopped = running = 0.0
    t = since
    for r in changes:
        span = (r.at - t).total_seconds() / 3600
        stopped, running = (stopped + span, running) if state == "stopped" else (stopped, running + span)
        state, t = ("stopped" if r.action == "stop" else "running"), r.at
    span = (until - t).total_seconds() / 3600
    stopped, running = (stopped + span, running) if state == "stopped" else (stopped, running + span)
    return round(stopped, 2), round(running, 2)


def weekly_report(
    actions: Sequence[ActionRecord],
    overrides: Sequence[Override],
    classes: Mapping[tuple[str, str], tuple[str, ...]],
    prices: PriceTable,
    since: datetime,
    until: datetime,
    targets: Iterable[tuple[str, str]] = (),
) -> WeeklyReport:
    keys = sorted({*targets, *(a.key for a in actions if a.action in ("stop", "start"))})
    rows = []
    for key in keys:
        mine = [a for a in actions if a.key == key]
        stopped, running = hours(mine, since, until)
        done = sum(1 for a in mine if a.result == "ok" and a.action in ("stop", "start"))
        restarts = sum(1 for a in mine if a.cause == "self_restart" and a.action == "stop" and a.result == "ok")
        n_over = sum(1 for o in overrides if o.key == key)
        per_hour = prices.per_hour(classes.get(key, ()))
        saving = round(stopped * per_hour, 2) if per_hour is not None else None
        rows.append(DbWeek(key[0], key[1], stopped, running, done, restarts, n_over, per_hour, saving))
    return WeeklyReport(since, until, tuple(rows), prices)


def render(report: WeeklyReport, lang: str = "en") -> str:
    """Plain text (mrkdwn) for the report message."""
    ko = lang == "ko"
    head = (
        f"*RDS 스케줄 주간 보고* {report.since:%Y-%m-%d} ~ {report.until:%Y-%m-%d}"
        if ko
        else f"*RDS schedule weekly report* {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}"
    )
    lines = [head]
    for r in report.rows:
        no_price = "가격 정보 없음" if ko else "no price"
        saving = f"{r.saving:.2f} {report.prices.currency}" if r.saving is not None else no_price
        if ko:
            lines.append(
                f"• {r.target_id}: 중지 {r.hours_stopped:.1f}h / 실행 {r.hours_running:.1f}h, "
                f"작업 {r.actions}건, 자동 재시작 차단 {r.self_restarts}건, "
                f"실행 유지 {r.overrides}건, 절감 추정 {saving}"
            )
        else:
            lines.append(
                f"• {r.target_id}: stopped {r.hours_stopped:.1f}h / running {r.hours_running:.1f}h, "
                f"{r.actions} actions, {r.self_restarts} self-restarts caught, "
                f"{r.overrides} overrides, est. saving {saving}"
            )
    total = f"{report.total_saving:.2f} {report.prices.currency}"
    prices = report.prices
    if prices.estimated_from:
        where = (
            f"{prices.region}: {prices.estimated_from} 가격으로 추정"
            if ko
            else f"{prices.region}: estimated from {prices.estimated_from} prices"
        )
    else:
        where = prices.region
    lines.append(f"{'합계 절감 추정' if ko else 'Estimated total saving'}: {total} ({where}, {prices.as_of})")
    lines.append(f"_{report.prices.label(lang)}_")
    return "\n".join(lines)
