"""Buttons: approve, reject, revert, re-run, and choosing an intent.

Buttons carry only an id; the server holds the plan. Authorisation sits here, in the
listener middleware, and is checked again inside the service at the moment of decision.
Refusals are ephemeral and audited.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from bot.domain import Msg
from bot.services.plans import refusal_reason
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors


def _plan_id(body: dict[str, Any]) -> int | None:
    try:
        return int(body["actions"][0]["value"])
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def _lang_of(deps: Deps, plan_id: int | None) -> str:
    plan = deps.services.repo.get_plan(plan_id) if plan_id else None
    req = deps.services.repo.get_request(plan.request_id) if plan else None
    return req.lang if req else "en"


def register(app: App, deps: Deps) -> None:
    svc = deps.services

    def require_approver(body: dict[str, Any], ack: Any, client: Any, next: Any) -> None:  # noqa: A002
        plan_id = _plan_id(body)
        user = body.get("user", {}).get("id", "")
        plan = svc.repo.get_plan(plan_id) if plan_id is not None else None
        action = body.get("actions", [{}])[0].get("action_id", "")
        reason = refusal_reason(svc, plan, user)
        if reason is not None and action.startswith("reject_plan") and plan is not None and user == plan.requested_by:
            reason = None  # requesters may withdraw their own plan
        if reason is None:
            next()
            return
        ack()
        if plan is not None:
            deps.plans.refuse(plan.id, user, reason, action)
        channel = body.get("channel", {}).get("id", "")
        client.chat_postEphemeral(channel=channel, user=user, text=f"🚫 {reason(_lang_of(deps, plan_id))}")

    def ack_only(ack: Any) -> None:
        ack()

    def _tell(body: dict[str, Any], client: Any, message: Msg | None, plan_id: int | None) -> None:
        if message is None:
            return
        client.chat_postEphemeral(channel=body.get("channel", {}).get("id", ""), user=body["user"]["id"],
                                  text=message(_lang_of(deps, plan_id)))

    @reporting_errors
    def approve(body: dict[str, Any], client: Any) -> None:
        plan_id = _plan_id(body)
        outcome = deps.plans.approve(plan_id, body["user"]["id"])
        _tell(body, client, outcome.message, plan_id)

    @reporting_errors
    def reject(body: dict[str, Any], client: Any) -> None:
        plan_id = _plan_id(body)
        outcome = deps.plans.reject(plan_id, body["user"]["id"])
        _tell(body, client, outcome.message, plan_id)

    @reporting_errors
    def revert(body: dict[str, Any], client: Any) -> None:
        plan_id = _plan_id(body)
        outcome = deps.plans.propose_revert(plan_id, body["user"]["id"])
        _tell(body, client, outcome.message, plan_id)

    @reporting_errors
    def rerun(body: dict[str, Any], client: Any) -> None:
        req = svc.repo.get_request(_plan_id(body) or 0)
        if req is None:
            _tell(body, client, Msg("That request no longer exists.", "해당 요청이 없습니다."), None)
            return
        svc.repo.update_request(req.id, state="diagnosing")
        deps.requests.diagnose(req)

    @reporting_errors
    def choose_intent(body: dict[str, Any], client: Any) -> None:
        value = body["actions"][0].get("value", "")
        request_id, _, intent = value.partition(":")
        req = svc.repo.get_request(int(request_id)) if request_id.isdigit() else None
        if req is None or req.state != "asked":
            _tell(body, client, Msg("That question was already answered.", "이미 답한 질문입니다."), None)
            return
        svc.repo.update_request(req.id, intent=intent, state="diagnosing")
        req.intent = intent
        deps.requests.diagnose(req)

    guarded = [require_approver]
    # Messages that list several plans (reports, App Home) suffix the action id with "-<plan id>",
    # because Slack wants action ids unique within a message; the value still carries the plan id.
    app.action(re.compile(r"^approve_plan(-\d+)?$"), middleware=guarded)(ack=ack_only, lazy=[approve])
    app.action(re.compile(r"^reject_plan(-\d+)?$"), middleware=guarded)(ack=ack_only, lazy=[reject])
    app.action("revert_plan", middleware=guarded)(ack=ack_only, lazy=[revert])
    app.action("rerun_request")(ack=ack_only, lazy=[rerun])
    app.action(re.compile(r"^choose_intent_"))(ack=ack_only, lazy=[choose_intent])
