"""App Home: what the person looking needs — their requests, plans waiting for them, recent changes."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.domain import Msg, PlanStatus
from bot.slack import render
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors


def home_view(deps: Deps, user: str, lang: str) -> dict[str, Any]:
    svc = deps.services
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text",
                                                               "text": Msg("EKS ChatOps", "EKS ChatOps")(lang)}}]
    mine = svc.repo.requests_of(user, limit=10)
    blocks.append(render.section(Msg("*Your requests*", "*내 요청*")(lang)))
    if mine:
        lines = [f"• #{r.id} `{r.intent}` {render.target_label(r)} — {r.state}" for r in mine]
        blocks.append(render.section("\n".join(lines)))
    else:
        blocks.append(render.context(Msg("No requests yet.", "요청이 없습니다.")(lang)))
    if svc.approvers.is_approver(user):
        waiting = [p for p in svc.repo.plans_with_status(PlanStatus.PROPOSED) if p.requested_by != user][:10]
        blocks.append(render.section(Msg("*Waiting for your approval*", "*내 승인 대기*")(lang)))
        if not waiting:
            blocks.append(render.context(Msg("Nothing is waiting.", "대기 중인 계획이 없습니다.")(lang)))
        for plan in waiting:
            blocks.append(render.section(render.plan_text(plan, lang)))
            blocks.append(render._decide_actions(plan, lang))
    recent = [r for r in svc.repo.audit_rows(limit=10)]
    blocks.append(render.section(Msg("*Recent activity*", "*최근 활동*")(lang)))
    if recent:
        blocks.append(render.section("\n".join(f"• {r.at:%m-%d %H:%M} {r.kind} — {r.summary[:80]}" for r in recent)))
    return {"type": "home", "blocks": blocks[:100]}


def register(app: App, deps: Deps) -> None:
    @reporting_errors
    def publish(event: dict[str, Any], client: Any, body: dict[str, Any]) -> None:
        user = event["user"]
        lang = "en"
        try:
            info = client.users_info(user=user, include_locale=True).data
            lang = "ko" if str(info.get("user", {}).get("locale", "")).startswith("ko") else "en"
        except Exception:  # noqa: BLE001 - language is a nicety; fall back to English
            lang = "en"
        client.views_publish(user_id=user, view=home_view(deps, user, lang))

    def ack_event(ack: Any) -> None:
        ack()

    app.event("app_home_opened")(ack=ack_event, lazy=[publish])
