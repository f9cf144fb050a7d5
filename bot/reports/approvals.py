"""The ``approvals`` report: plans waiting for a decision and those about to expire, mentioning the approvers.

``collect(repo, approvers_mention)`` reads the proposed plans (the only I/O, through the spine's
``Repo``); ``build`` is pure. A plan that moves into its last ``soon_minutes`` counts as changed,
so the approvers hear about it once more before it expires. Each plan carries the same
approve/reject buttons as its thread (values are the plan id; the spine's listeners decide).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import blockkit
from bot.domain import Msg, PlanStatus
from bot.mrkdwn import markup, mention
from bot.reportkit import render
from bot.reportkit.diff import diff, state_of
from bot.reportkit.model import Item, ReportContent

KIND = "approvals"
SECTIONS = {"expiring": Msg("expires soon", "곧 만료"), "waiting": Msg("waiting", "대기")}


@dataclass(frozen=True)
class WaitingPlan:
    id: int
    title: Msg
    risk: str
    target: str
    requested_by: str
    created_at: datetime
    expires_at: datetime
    approvals: int = 0
    approvals_needed: int = 1

    def __str__(self) -> str:
        return f"plan #{self.id} {self.title.en} (expires {self.expires_at.isoformat()})"


@dataclass(frozen=True)
class ApprovalsData:
    plans: tuple[WaitingPlan, ...]
    approvers_mention: str
    soon_minutes: int = 15


def collect(repo: Any, approvers_mention: str, soon_minutes: int = 15) -> ApprovalsData:
    plans = []
    for row in repo.plans_with_status(PlanStatus.PROPOSED):
        title = Msg(row.title.get("en", ""), row.title.get("ko", row.title.get("en", "")))
        plans.append(
            WaitingPlan(
                row.id,
                title,
                row.risk,
                row.target,
                row.requested_by,
                row.created_at,
                row.expires_at,
                repo.approval_count(row.id),
                row.approvals_needed,
            )
        )
    return ApprovalsData(tuple(plans), approvers_mention, soon_minutes)


def items(data: ApprovalsData, now: datetime) -> list[Item]:
    out = []
    soon = timedelta(minutes=data.soon_minutes)
    for p in data.plans:
        if p.expires_at <= now:
            continue  # expired; the spine's expiry job tells its thread
        section = "expiring" if p.expires_at - now <= soon else "waiting"
        expires = p.expires_at.astimezone(now.tzinfo)
        votes = f" · {p.approvals}/{p.approvals_needed}" if p.approvals_needed > 1 else ""
        label = markup(
            "Plan #{id}: {title_en} (risk {risk}) — asked by {who}, expires {expires}{votes}",
            "계획 #{id}: {title_ko} (위험도 {risk}) — 요청 {who}, 만료 {expires}{votes}",
            id=p.id,
            title_en=p.title.en,
            title_ko=p.title.ko,
            risk=p.risk,
            who=mention(p.requested_by),
            expires=f"{expires:%H:%M}",
            votes=votes,
        )
        out.append(
            Item(
                f"plan|{p.id}",
                section,
                label,
                since=p.created_at,
                plan_id=p.id,
                fields={"section": section, "approvals": p.approvals},
            )
        )
    return out


def build(data: ApprovalsData, previous_state: Mapping[str, Any] | None, now: datetime, lang: str) -> ReportContent:
    d = diff(items(data, now), previous_state, now)
    state = state_of(d, now)
    title = Msg("Plans waiting for approval", "승인 대기 계획")(lang)
    if d.unchanged:
        return ReportContent(KIND, render.unchanged_line(title, d, lang, now), (), state, changed=False)
    urgent = [i for i in (*d.new, *d.changed) if i.section == "expiring"]
    intro = []
    if d.new or urgent:
        call = Msg(
            f"{data.approvers_mention}: {len(d.current)} plan(s) need a decision"
            + (f", {len(urgent)} expiring within {data.soon_minutes} min" if urgent else ""),
            f"{data.approvers_mention}: 결정이 필요한 계획 {len(d.current)}건"
            + (f", {data.soon_minutes}분 안에 만료 {len(urgent)}건" if urgent else ""),
        )
        intro.append(blockkit.section(call(lang)))
    text, blocks = render.report_blocks(
        f"{title} · {now:%Y-%m-%d %H:%M}",
        d,
        lang,
        now,
        SECTIONS,
        intro,
        all_clear=Msg("✅ Nothing is waiting.", "✅ 대기 중인 계획이 없습니다."),
    )
    if intro:  # the mention goes in the notification text too, so approvers are pinged
        head, _, rest = text.partition("\n")
        text = f"{head}\n{intro[0]['text']['text']}\n{rest}".rstrip()
    return ReportContent(KIND, text, tuple(blocks), state, changed=True)
