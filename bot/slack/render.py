"""Block Kit rendering: pure functions from domain data to Slack blocks. No I/O, no clients.

The blocks and Slack's limits on them are ``bot.blockkit``'s; this module adds what a thread shows:
the status line, a diagnosis's findings, a plan with its steps and diffs, and its buttons, whose
confirmation dialog holds at most 300 characters and whose values carry only a plan id.

Everything a diagnoser or the cluster said (titles, evidence, table cells, step descriptions, diffs,
headlines) is plain text and is escaped here (``bot.mrkdwn``); only ``Mrkdwn`` messages, which the
services build with ``bot.mrkdwn.markup``, and the approvers' mention from configuration go out as
markup. Nothing is cut short: a diagnosis or a plan too long for one message is summarised in the
message and attached in full as a text file in the thread (``bot.slack.attachments``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

from bot.blockkit import (
    SECTION_LIMIT,
    button,
    code_sections,
    context,
    fits,
    section,
    table_text,
    text_sections,
)
from bot.domain import Diagnosis, Finding, Msg, Severity
from bot.mrkdwn import as_mrkdwn, clip, escape
from bot.store.records import PlanRecord, RequestRecord

CONFIRM_LIMIT = 300  # Slack's limit for a confirmation dialog's text
PLAN_TAIL_ROOM = 3  # blocks kept free on a plan's last page: a note, the expiry line, the buttons
ICON = {Severity.OK: "✅", Severity.INFO: "ℹ️", Severity.WARNING: "⚠️", Severity.ERROR: "❌"}
RISK = {"low": Msg("low", "낮음"), "medium": Msg("medium", "중간"), "high": Msg("high", "높음")}
STATUS_LINE = {
    "diagnosing": Msg("🔎 Diagnosing {target}… (request #{id})", "🔎 {target} 진단 중… (요청 #{id})"),
    "awaiting_approval": Msg(
        "🟡 Waiting for approval: {target} (request #{id})", "🟡 승인 대기: {target} (요청 #{id})"
    ),
    "done": Msg("✅ Done: {target} (request #{id})", "✅ 완료: {target} (요청 #{id})"),
    "applied": Msg("✅ Fixed and verified: {target} (request #{id})", "✅ 적용·검증 완료: {target} (요청 #{id})"),
    "verify_failed": Msg(
        "⚠️ Applied, verification failed: {target} (request #{id})", "⚠️ 적용했으나 검증 실패: {target} (요청 #{id})"
    ),
    "failed": Msg("❌ Failed: {target} (request #{id})", "❌ 실패: {target} (요청 #{id})"),
    "asked": Msg("❓ Need more detail (request #{id})", "❓ 추가 정보 필요 (요청 #{id})"),
}


def target_label(req: RequestRecord) -> str:
    ents = req.entities or {}
    ns, name = ents.get("namespace", ""), ents.get("name") or ents.get("pod") or ents.get("service_account", "")
    if ns == "*":
        ns = "all namespaces"
    label = "/".join(p for p in (ns, name) if p) or ents.get("db", "") or ents.get("sysctl", "") or req.intent
    return escape(label)  # the requester typed it


def status_text(req: RequestRecord, state: str, detail: Msg | None = None) -> str:
    """The status line (mrkdwn: ``chat.update`` text), the target and any detail escaped."""
    line = STATUS_LINE.get(state, STATUS_LINE["diagnosing"]).format(target=target_label(req), id=req.id)(req.lang)
    return f"{line}\n{as_mrkdwn(detail, req.lang)}" if detail else line


def finding_blocks(f: Finding, lang: str) -> list[dict[str, Any]]:
    count = f" ×{f.count}" if f.count > 1 and not f.table else ""
    text = f"{ICON[f.severity]} *{as_mrkdwn(f.title, lang)}*{count}"
    if f.evidence:
        text += "\n" + "\n".join(f"• {as_mrkdwn(e, lang)}" for e in f.evidence[:12])
    blocks = text_sections(text)
    if f.table:
        blocks.extend(code_sections(table_text(f.table)))
    return blocks


def full_diagnosis_blocks(req: RequestRecord, diagnosis: Diagnosis) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if not diagnosis.findings or diagnosis.findings[0].title != diagnosis.headline:
        blocks.append(section(f"*{as_mrkdwn(diagnosis.headline, req.lang)}*"))
    for f in diagnosis.findings:
        blocks.extend(finding_blocks(f, req.lang))
    return blocks


def diagnosis_blocks(req: RequestRecord, diagnosis: Diagnosis) -> list[dict[str, Any]]:
    """The diagnosis message: every finding in full when it fits, else each finding's title and a
    pointer to the attached file (``attachments.diagnosis_file``) that holds everything."""
    full = full_diagnosis_blocks(req, diagnosis)
    if fits(full):
        return full
    lang = req.lang
    lines = [f"*{as_mrkdwn(diagnosis.headline, lang)}*"]
    lines += [
        f"{ICON[f.severity]} {as_mrkdwn(f.title, lang)}" + (f" ×{f.count}" if f.count > 1 else "")
        for f in diagnosis.findings
    ]
    summary = clip("\n".join(lines), SECTION_LIMIT)
    name = diagnosis_filename(req)
    return [
        section(summary),
        context(
            Msg(
                f"The full diagnosis, every finding with its evidence, is in the attached file `{name}`.",
                f"전체 진단 결과(모든 항목과 근거)는 첨부 파일 `{name}` 에 있습니다.",
            )(lang)
        ),
    ]


def diagnosis_filename(req: RequestRecord) -> str:
    return f"diagnosis-{req.id}.txt"


def render_json(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str).splitlines()


def step_diff(step: dict[str, Any]) -> str:
    before, after = render_json(step["before"]), render_json(step["after"])
    diff = list(difflib.unified_diff(before, after, "before", "after", lineterm="", n=3))
    return "\n".join(diff[2:]) if diff else "(no change)"


def step_description(step: dict[str, Any], lang: str) -> str:
    return Msg(**step["description"])(lang)


def plan_text(plan: PlanRecord, lang: str) -> str:
    """Title, risk and every step in full, mrkdwn-ready (the diagnoser's words escaped)."""
    title = escape(Msg(**plan.title)(lang))
    risk = escape(RISK.get(plan.risk, Msg.same(plan.risk))(lang))
    head = Msg(f"*Plan #{plan.id}: {title}* (risk: {risk})", f"*계획 #{plan.id}: {title}* (위험도: {risk})")(lang)
    steps = "\n".join(f"{i}. {escape(step_description(s, lang))}" for i, s in enumerate(plan.steps, 1))
    return f"{head}\n{steps}"


def plan_fallback_text(plan: PlanRecord, lang: str, page: int = 1, pages: int = 1) -> str:
    """The ``text`` of a plan message (notifications, clients without blocks)."""
    if page == 1:
        return clip(plan_text(plan, lang), 3000)
    return Msg(f"Plan #{plan.id}, continued ({page}/{pages})", f"계획 #{plan.id} 계속 ({page}/{pages})")(lang)


def _plan_body(plan: PlanRecord, lang: str) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = text_sections(plan_text(plan, lang))
    for i, step in enumerate(plan.steps, 1):
        body.append(context(f"`{escape(step['op'])}` step {i}"))
        body.extend(code_sections(escape(step_diff(step))))
    return body


TAIL_TEXT_ROOM = 1500  # the note, the expiry line and the buttons' texts, kept free in the budget


def plan_in_file(plan: PlanRecord, lang: str) -> bool:
    """Whether the plan's steps and diffs go into an attached file (they do not fit one message).

    Decided by the plan alone, so the message can be rebuilt with any note and buttons in place."""
    return not fits(_plan_body(plan, lang), PLAN_TAIL_ROOM, TAIL_TEXT_ROOM)


def plan_filename(plan: PlanRecord) -> str:
    return f"plan-{plan.id}.txt"


def plan_blocks(
    plan: PlanRecord, lang: str, approvers_mention: str, note: Msg | None = None, buttons: str = "decide"
) -> list[dict[str, Any]]:
    """The plan message: title, every step and a diff per step, then the note, expiry and buttons.

    A plan too long for one message shows its title, risk and as much of its step list as fits, and
    says that the attached file (``attachments.plan_file``) holds every step and diff.
    """
    if not plan_in_file(plan, lang):
        body = _plan_body(plan, lang)
    else:
        name = plan_filename(plan)
        n = len(plan.steps)
        body = [
            section(clip(plan_text(plan, lang), SECTION_LIMIT)),
            context(
                Msg(
                    f"{n} step{'s' if n != 1 else ''}: every step and its diff are in the attached file "
                    f"`{name}`; read it before you approve.",
                    f"{n}단계: 모든 단계와 diff는 첨부 파일 `{name}` 에 있습니다. 승인 전에 읽어 주세요.",
                )(lang)
            ),
        ]
    return body + _plan_tail(plan, lang, approvers_mention, note, buttons)


def _plan_tail(
    plan: PlanRecord, lang: str, approvers_mention: str, note: Msg | None, buttons: str
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    expires = plan.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    if note is not None:
        blocks.append(section(as_mrkdwn(note, lang)))
    if buttons == "decide":
        need = Msg(" · two approvers needed", " · 승인자 2명 필요")(lang) if plan.approvals_needed > 1 else ""
        # the approvers' mention is the bot's own markup, built from configuration (Approvers.mention)
        blocks.append(
            context(
                Msg(
                    f"Expires {expires} · approvers: {approvers_mention}{need}",
                    f"만료: {expires} · 승인자: {approvers_mention}{need}",
                )(lang)
            )
        )
        blocks.append(decide_actions(plan, lang))
    elif buttons == "revert":
        blocks.append(
            {
                "type": "actions",
                "block_id": f"plan-{plan.id}-revert",
                "elements": [button("revert_plan", Msg("Revert", "되돌리기")(lang), plan.id)],
            }
        )
    elif buttons == "rerun":
        blocks.append(
            {
                "type": "actions",
                "block_id": f"plan-{plan.id}-rerun",
                "elements": [button("rerun_request", Msg("Re-run diagnosis", "진단 다시 실행")(lang), plan.request_id)],
            }
        )
    return blocks


def confirm_text(plan: PlanRecord, lang: str) -> str:
    """What the Approve dialog says (mrkdwn): every step in full, or, when they do not all fit its 300
    characters, how many there are and that the thread has them all (never a cut-off list)."""
    steps = [escape(step_description(s, lang)) for s in plan.steps]
    full = "\n".join(f"{i}. {d}" for i, d in enumerate(steps, 1))
    if steps and len(full) <= CONFIRM_LIMIT:
        return full
    n = len(steps)
    risk = escape(RISK.get(plan.risk, Msg.same(plan.risk))(lang))
    return Msg(
        f"Plan #{plan.id} (risk: {risk}): {n} step{'s' if n != 1 else ''}, read them in the thread before you approve.",
        f"계획 #{plan.id} (위험도: {risk}): {n}단계, 승인하기 전에 스레드에서 모두 읽어 주세요.",
    )(lang)


def decide_actions(plan: PlanRecord, lang: str) -> dict[str, Any]:
    confirm = {
        "title": {"type": "plain_text", "text": Msg("Apply this change?", "이 변경을 적용할까요?")(lang)},
        "text": {"type": "mrkdwn", "text": confirm_text(plan, lang)},
        "confirm": {"type": "plain_text", "text": Msg("Apply", "적용")(lang)},
        "deny": {"type": "plain_text", "text": Msg("Cancel", "취소")(lang)},
    }
    return {
        "type": "actions",
        "block_id": f"plan-{plan.id}",
        "elements": [
            button("approve_plan", Msg("Approve & apply", "승인 후 적용")(lang), plan.id, "primary", confirm),
            button("reject_plan", Msg("Reject", "거절")(lang), plan.id, "danger"),
        ],
    }


def intent_choice_blocks(request_id: int, lang: str, choices: Sequence[tuple[str, Msg]]) -> list[dict[str, Any]]:
    """The question the bot asks when it cannot tell what a request meant: one button per
    ``(intent, label)`` choice, at most five."""
    elements = [
        {
            "type": "button",
            "action_id": f"choose_intent_{intent}",
            "value": f"{request_id}:{intent}",
            "text": {"type": "plain_text", "text": label(lang)},
        }
        for intent, label in choices[:5]
    ]
    question = Msg("I'm not sure what you need. Which is it?", "어떤 요청인지 확실하지 않습니다. 어느 쪽인가요?")
    return [section(question(lang)), {"type": "actions", "block_id": f"intent-{request_id}", "elements": elements}]
