"""App Home: ``views.publish`` on ``app_home_opened`` with what the person looking needs, in their language.

Sections: my open requests and their status, plans waiting for my approval (approvers only; the
same approve/reject buttons as the thread, answered by ``listeners.actions``), recent changes
(plans applied, failed or reverted this week; approvers only, as ``bot.services.policy.POLICY`` says:
others see a line saying so, and the refusal is audited once a day per person), and schedules and
reports (scheduled reports from ``deps.reports`` and the RDS stop/start schedules). The language comes from
``users.info`` with ``include_locale=true``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import blockkit
from bot.domain import AuditKind, Msg
from bot.mrkdwn import escape
from bot.reports import audit as audit_report
from bot.services.policy import Action
from bot.slack import render
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors
from handlers import registry

log = logging.getLogger(__name__)

OPEN_STATES = ("diagnosing", "open", "asked")
STATE = {
    "diagnosing": Msg("diagnosing", "진단 중"),
    "open": Msg("waiting for approval", "승인 대기"),
    "asked": Msg("needs detail", "추가 정보 필요"),
    "done": Msg("done", "완료"),
    "failed": Msg("failed", "실패"),
}
MAX_BLOCKS = 100


def _heading(text: str) -> dict[str, Any]:
    return blockkit.section(f"*{text}*")


def _my_requests(deps: Deps, user: str, lang: str) -> list[dict[str, Any]]:
    mine = [r for r in deps.services.repo.requests_of(user, limit=30) if r.state in OPEN_STATES][:10]
    blocks = [_heading(Msg("Your open requests", "내 진행 중 요청")(lang))]
    if not mine:
        return [*blocks, blockkit.context(Msg("No open requests.", "진행 중인 요청이 없습니다.")(lang))]
    lines = []
    for r in mine:
        where = f" · <#{r.channel}>" if r.channel else ""
        lines.append(
            f"• #{r.id} `{r.intent}` {render.target_label(r)} — {STATE.get(r.state, Msg.same(r.state))(lang)}"
            f"{where} · {r.created_at:%m-%d %H:%M}"
        )
    return [*blocks, blockkit.section("\n".join(lines))]


def _waiting(deps: Deps, user: str, lang: str) -> list[dict[str, Any]]:
    svc = deps.services
    if not svc.approvers.is_approver(user):
        return []
    own = "" if svc.approvers.allow_self_approval else user
    waiting = svc.repo.plans_waiting(svc.clock(), limit=10, not_requested_by=own)
    blocks = [_heading(Msg("Waiting for your approval", "내 승인 대기")(lang))]
    if not waiting:
        return [*blocks, blockkit.context(Msg("Nothing is waiting.", "대기 중인 계획이 없습니다.")(lang))]
    for plan in waiting:
        expires = Msg(
            f"requested by <@{plan.requested_by}> · expires {plan.expires_at:%m-%d %H:%M} UTC",
            f"요청 <@{plan.requested_by}> · 만료 {plan.expires_at:%m-%d %H:%M} UTC",
        )
        buttons = render.decide_actions(plan, lang)
        for element in buttons["elements"]:  # unique per view; listeners.reports strips the suffix
            element["action_id"] = f"{element['action_id']}-{plan.id}"
        blocks += [blockkit.section(render.plan_text(plan, lang)), blockkit.context(expires(lang)), buttons]
    return blocks


def _recent_changes(deps: Deps, user: str, lang: str) -> list[dict[str, Any]]:
    svc = deps.services
    blocks = [_heading(Msg("Recent changes (7 days)", "최근 변경 (7일)")(lang))]
    refusal = deps.authorizer.who_refusal(Action.HOME_RECENT_CHANGES, user)
    if refusal is not None:
        now = svc.clock()
        if svc.repo.first_time(f"home-recent:{user}:{now:%Y-%m-%d}", now):
            svc.audit(
                AuditKind.REFUSED,
                user,
                f"{Action.HOME_RECENT_CHANGES} refused ({refusal.code}): {refusal.message.en}",
                after={"action": str(Action.HOME_RECENT_CHANGES), "reason": refusal.code},
            )
        mention = svc.approvers.mention()
        return [
            *blocks,
            blockkit.context(
                Msg(
                    f"🚫 Recent changes are shown to approvers ({mention}).",
                    f"🚫 최근 변경은 승인자에게만 보입니다 ({mention}).",
                )(lang)
            ),
        ]
    data = audit_report.collect(svc.repo, svc.clock())
    if not data.changes:
        return [*blocks, blockkit.context(Msg("No changes this week.", "이번 주 변경이 없습니다.")(lang))]
    outcome = audit_report.SECTIONS
    lines = [
        f"• {c.at:%m-%d %H:%M} #{c.plan_id} {escape(c.title(lang))} — {outcome[c.outcome](lang)} "
        f"({', '.join(f'<@{p}>' for p in c.people)})"
        for c in reversed(data.changes[-10:])
    ]
    return [*blocks, blockkit.section("\n".join(lines))]


def _schedules(deps: Deps, lang: str) -> list[dict[str, Any]]:
    blocks = [_heading(Msg("Schedules and reports", "스케줄과 보고서")(lang))]
    lines = []
    for r in deps.reports.list():
        lines.append(
            Msg(
                f"• report #{r.id} `{r.kind}` → <#{r.channel}> · `{r.cron}` {r.tz}",
                f"• 보고서 #{r.id} `{r.kind}` → <#{r.channel}> · `{r.cron}` {r.tz}",
            )(lang)
        )
    lines += registry.home_lines(deps.services.ports, lang)
    if not lines:
        return [
            *blocks,
            blockkit.context(Msg("No schedules or reports yet.", "스케줄이나 보고서가 없습니다.")(lang)),
        ]
    return [*blocks, blockkit.section("\n".join(lines))]


def home_view(deps: Deps, user: str, lang: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "EKS ChatOps"}}]
    for part in (
        _my_requests(deps, user, lang),
        _waiting(deps, user, lang),
        _recent_changes(deps, user, lang),
        _schedules(deps, lang),
    ):
        blocks += [{"type": "divider"}, *part]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def locale_lang(client: Any, user: str) -> str:
    try:
        info = client.users_info(user=user, include_locale=True).data
    except SlackApiError as exc:  # language is a nicety; fall back to English
        log.info("users.info failed", extra={"user": user, "error": exc.response.get("error")})
        return "en"
    return "ko" if str(info.get("user", {}).get("locale", "")).startswith("ko") else "en"


@reporting_errors
def publish(event: dict[str, Any], client: Any, body: dict[str, Any], context: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    user = event["user"]
    client.views_publish(user_id=user, view=home_view(context["deps"], user, locale_lang(client, user)))


def ack_event(ack: Any) -> None:
    ack()


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(ack=ack_event, lazy=[publish])
