"""The ``/ops`` slash command: validate and ack within Slack's 3 seconds, then work lazily.

Usage errors and help are answered in the ack itself (ephemeral). Requests are acked with a
short note and diagnosed in the lazy half, which opens the request's thread in the channel.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blockkit import table_text
from bot.domain import Msg
from bot.errors import UsageError
from bot.mrkdwn import clip, escape
from bot.parsing.text import has_hangul
from bot.services.commands import Command, help_text, parse_command
from bot.services.policy import Action
from bot.services.requests import Ask
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors
from bot.slack.jobs import ATTEMPT
from bot.slack.listeners.forms import form_view
from handlers import registry


def _parse(deps: Deps, text: str) -> Command:
    return parse_command(text, frozenset(deps.builtins))


def ack_ops(ack: Ack, command: dict[str, Any], context: dict[str, Any]) -> None:
    deps = context["deps"]
    try:
        cmd = _parse(deps, command.get("text", ""))
    except UsageError as exc:
        lang = "ko" if exc.message_ko != exc.message and has_hangul(command.get("text", "")[:500]) else "en"
        usage = Msg(
            f"⚠️ {escape(exc.message)}\nTry `{deps.services.settings.slash_command} help`.",
            f"⚠️ {escape(exc.message_ko)}\n`{deps.services.settings.slash_command} help` 를 입력해 보세요.",
        )
        ack(text=usage(lang), response_type="ephemeral")
        return
    if cmd.kind == "help":
        ack(
            text=help_text(cmd.lang, deps.services.settings.slash_command, deps.builtin_usage()),
            response_type="ephemeral",
        )
        return
    ack(text=Msg("👀 On it…", "👀 확인 중…")(cmd.lang), response_type="ephemeral")


@reporting_errors
def run_ops(
    body: dict[str, Any], respond: Respond, command: dict[str, Any], client: Any, context: dict[str, Any]
) -> None:
    deps = context["deps"]
    try:
        cmd = _parse(deps, command.get("text", ""))
    except UsageError:
        return  # already answered in the ack
    if cmd.kind == "help":
        return
    trigger = command.get("trigger_id", "")
    # The same signed request delivered again (a replay or a proxy retry) is handled once. A request
    # for a diagnosis is deduplicated in the same transaction that records it (``Ask.once_key``).
    once = f"trigger:{trigger}" if trigger else ""
    form = registry.form_opened_by(cmd.intent, cmd.entities) if cmd.kind == "request" and trigger else None
    submits = cmd.kind != "audit" and cmd.kind not in deps.builtins and form is None
    # a retried job runs a read-only answer again (its first attempt may have died before answering)
    retried = context.get(ATTEMPT, 1) > 1
    if once and not submits and not retried and not deps.services.repo.first_time(once, deps.services.clock()):
        return
    if cmd.kind == "audit":
        # checked when the command arrived (bot.slack.guard); again now, with the group read afresh
        refusal = deps.authorizer.who_refusal(Action.AUDIT, command.get("user_id", ""), fresh=True)
        if refusal is not None:
            respond(text=f"🚫 {refusal.message(cmd.lang)}", response_type="ephemeral", replace_original=False)
            return
        n = min(int(cmd.args[0]) if cmd.args else 20, 200)
        respond(text=_audit_text(deps, n), response_type="ephemeral", replace_original=False)
        return
    if form is not None:
        tz = deps.services.settings.default_timezone
        view = form_view(form, cmd.entities, command["channel_id"], cmd.lang, tz)
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    if cmd.kind in deps.builtins:
        deps.builtins[cmd.kind].handle(deps, cmd, command, respond)
        return
    deps.requests.submit(
        Ask(
            user=command["user_id"],
            channel=command["channel_id"],
            text=command.get("text", ""),
            lang=cmd.lang,
            intent=cmd.intent,
            entities=cmd.entities,
            aws_error=cmd.aws_error,
            image_pull=cmd.image_pull,
            cluster=cmd.cluster,
            once_key=once,
            resume=retried,
        )
    )


def register(app: App, deps: Deps) -> None:
    app.command(deps.services.settings.slash_command)(ack=ack_ops, lazy=[run_ops])


def _audit_text(deps: Deps, n: int) -> str:
    rows = deps.services.repo.audit_rows(limit=n)
    if not rows:
        return "No audit rows yet."
    table = [("ID", "AT (UTC)", "KIND", "ACTOR", "PLAN", "SUMMARY")]
    for r in rows:
        table.append(
            (str(r.id), r.at.strftime("%m-%d %H:%M:%S"), r.kind, r.actor, str(r.plan_id or ""), r.summary[:70])
        )
    return f"```{clip(table_text(table, max_rows=200), 2900)}```"  # cells escaped; no entity cut in half
