"""The ``audit`` report: the week's applied, failed and reverted changes, by person and by kind.

``collect(repo, now)`` reads the plans decided in the last seven days and who approved them (the
spine's ``Repo``; the only I/O); ``build`` is pure. The totals cover the whole week; only changes
made since the previous report are listed one by one, so a weekly reader sees nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot import blockkit
from bot.domain import Msg, PlanStatus
from bot.mrkdwn import escape, join, markup, mention
from bot.reportkit import render
from bot.reportkit.diff import diff, state_of
from bot.reportkit.model import Item, ReportContent

KIND = "audit"
WEEK = timedelta(days=7)
OUTCOMES = (PlanStatus.APPLIED, PlanStatus.FAILED, PlanStatus.REVERTED)
SECTIONS = {
    "applied": Msg("applied", "적용"),
    "failed": Msg("failed", "실패"),
    "reverted": Msg("reverted", "되돌림"),
}


@dataclass(frozen=True)
class Change:
    plan_id: int
    kind: str
    title: Msg
    outcome: str
    at: datetime
    people: tuple[str, ...]
    target: str = ""

    def __str__(self) -> str:
        return f"#{self.plan_id} {self.kind} {self.outcome} at {self.at.isoformat()} by {','.join(self.people)}"


@dataclass(frozen=True)
class AuditData:
    changes: tuple[Change, ...]
    since: datetime
    until: datetime


def collect(repo: Any, now: datetime) -> AuditData:
    since = now - WEEK
    changes = []
    for row in repo.plans_with_status(*OUTCOMES):
        at = row.applied_at or row.decided_at or row.created_at
        if not since <= at <= now:
            continue
        people = tuple(repo.approvers(row.id)) or (row.requested_by,)
        title = Msg(row.title.get("en", ""), row.title.get("ko", row.title.get("en", "")))
        changes.append(Change(row.id, row.kind, title, str(row.status), at, people, row.target))
    return AuditData(tuple(sorted(changes, key=lambda c: (c.at, c.plan_id))), since, now)


def totals(data: AuditData) -> tuple[tuple[str, ...], ...]:
    """Rows of a small table: per person and per kind, how many applied / failed / reverted."""
    rows: list[tuple[str, ...]] = [("", "applied", "failed", "reverted")]
    for label, keys in (("person", lambda c: [f"@{p}" for p in c.people]), ("kind", lambda c: [c.kind])):
        counts: dict[str, Counter[str]] = {}
        for c in data.changes:
            for key in keys(c):
                counts.setdefault(key, Counter())[c.outcome] += 1
        for key in sorted(counts):
            n = counts[key]
            rows.append((f"{label} {key}", str(n["applied"]), str(n["failed"]), str(n["reverted"])))
    return tuple(rows)


def _table(rows: tuple[tuple[str, ...], ...]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def items(data: AuditData) -> list[Item]:
    out = []
    for c in data.changes:
        who = join(", ", (mention(p) for p in c.people))
        label = markup(
            "#{id} {kind}: {title_en} — {outcome}, approved by {who}",
            "#{id} {kind}: {title_ko} — {outcome_ko}, 승인 {who}",
            id=c.plan_id,
            kind=c.kind,
            title_en=c.title.en,
            title_ko=c.title.ko,
            outcome=c.outcome,
            outcome_ko=SECTIONS[c.outcome].ko,
            who=who,
        )
        out.append(Item(f"change|{c.plan_id}|{c.outcome}", c.outcome, label, since=c.at))
    return out


def build(data: AuditData, previous_state: Mapping[str, Any] | None, now: datetime, lang: str) -> ReportContent:
    d = diff(items(data), previous_state, now)
    if not d.new and not d.first_run:  # changes leaving the week are not news
        d = replace(
            d,
            changed=(),
            still=(*d.changed, *d.still),
            resolved=(),
            changed_at=datetime.fromisoformat((previous_state or {}).get("changed_at") or now.isoformat()),
        )
    state = state_of(d, now)
    title = Msg("Changes this week", "이번 주 변경")(lang)
    if d.unchanged:
        return ReportContent(KIND, render.unchanged_line(title, d, lang, now), (), state, changed=False)
    n = Counter(c.outcome for c in data.changes)
    summary = Msg(
        f"{data.since.astimezone(now.tzinfo):%m-%d} to {now:%m-%d}: {n['applied']} applied, "
        f"{n['failed']} failed, {n['reverted']} reverted",
        f"{data.since.astimezone(now.tzinfo):%m-%d} ~ {now:%m-%d}: 적용 {n['applied']}건, "
        f"실패 {n['failed']}건, 되돌림 {n['reverted']}건",
    )(lang)
    intro = [blockkit.section(summary)]
    if data.changes:
        intro.append(blockkit.section(f"```{escape(_table(totals(data)))}```"))
    text, blocks = render.report_blocks(
        f"{title} · {now:%Y-%m-%d %H:%M}",
        d,
        lang,
        now,
        SECTIONS,
        intro,
        show_resolved=False,
        show_still=False,
        all_clear=Msg("No changes this week.", "이번 주 변경이 없습니다."),
    )
    head, _, rest = text.partition("\n")
    return ReportContent(KIND, f"{head}\n{summary}\n{rest}".rstrip(), tuple(blocks), state, changed=True)
