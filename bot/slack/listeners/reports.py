"""Scheduled reports on Slack: ``/ops report add|list|remove|run`` and the reports' "Diagnose" button.

``register(app, deps)`` adds the ``report`` built-in (``report_command`` with the app's
``WebClient``, run in the lazy half of ``/ops``) and the ``report_diagnose`` action; both use the
``ReportService`` the composition root built (posting through ``SlackReportPoster``), ``deps.reports``.
Changing or running reports is for approvers: checked here, in the sub-command, and again in the
service. Channels arrive escaped in slash text (``<#C123|name>``).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blockkit
from bot.domain import Msg
from bot.errors import ChannelUnavailable, UsageError
from bot.korean import attach, josa
from bot.mrkdwn import Mrkdwn, as_mrkdwn, escape, mention
from bot.mrkdwn import channel as channel_link
from bot.reportkit.model import Chart
from bot.reportkit.render import DIAGNOSE_ACTION
from bot.services.commands import Command
from bot.services.reports import KINDS, NotAllowed, ReportService
from bot.services.requests import Ask
from bot.slack.deps import Builtin, Deps
from bot.slack.errors import reporting_errors
from bot.slack.listeners.home import locale_lang
from bot.slack.posting import bot_mention, channel_help, guarded

log = logging.getLogger(__name__)

CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{2,})(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$")
USAGE = (
    (
        "report add KIND #channel CRON [TZ]",
        Msg(
            f"Post a report ({', '.join(KINDS)}) to a channel on a cron schedule (approvers).",
            f"채널에 보고서({', '.join(KINDS)})를 cron 일정으로 게시합니다 (승인자).",
        ),
    ),
    ("report list", Msg("Show the scheduled reports.", "예약된 보고서 목록.")),
    ("report remove ID", Msg("Stop a scheduled report (approvers).", "예약된 보고서를 중지합니다 (승인자).")),
    ("report run ID", Msg("Post a report now (approvers).", "보고서를 지금 게시합니다 (승인자).")),
)


class SlackReportPoster:
    """``ReportPoster`` with the Slack Web API: ``chat.postMessage`` and ``files.uploadV2`` (charts)."""

    def __init__(self, client: WebClient):
        self.client = client

    def post(self, channel: str, text: str, blocks: Sequence[Mapping[str, Any]]) -> str:
        """The report's message; Slack refusing the channel raises ``ChannelUnavailable``."""
        kwargs: dict[str, Any] = {"channel": channel, "text": text}
        shown, rest = fitting(list(blocks))
        if shown:
            kwargs["blocks"] = shown
        ts = str(guarded(channel, "en", lambda: self.client.chat_postMessage(**kwargs))["ts"])
        if rest:
            self._attach(channel, ts, list(blocks))
        return ts

    def _attach(self, channel: str, ts: str, blocks: list[dict[str, Any]]) -> None:
        """The whole report as a text file in its thread (a file is not mrkdwn: entities undone)."""
        try:
            self.client.files_upload_v2(
                channel=channel, thread_ts=ts, filename="report.txt", content=plain_text(blocks), title="report"
            )
        except SlackApiError as exc:
            log.warning("report file upload failed", extra={"channel": channel, "error": exc.response.get("error")})

    def refused(self, cfg: Any, exc: ChannelUnavailable) -> None:
        """Tell the report's owner, by direct message (no channel membership needed), why it did not post."""
        text = as_mrkdwn(refused_text(cfg, exc, bot_mention(self.client)), cfg.lang)
        try:
            self.client.chat_postMessage(channel=cfg.created_by, text=text)
        except SlackApiError as err:
            log.error("report owner could not be told", extra={"report_id": cfg.id, "error": err.response.get("error")})

    def upload(self, channel: str, thread_ts: str, chart: Chart) -> None:
        try:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts or None,
                filename=chart.filename,
                content=chart.png,
                title=chart.title,
            )
        except SlackApiError as exc:  # a missing chart must not lose the report
            log.warning("chart upload failed", extra={"channel": channel, "error": exc.response.get("error")})


def fitting(blocks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the blocks one message shows, the ones left out): within ``blockkit.BLOCK_TEXT_BUDGET`` and 50
    blocks; when some are left out, the last shown says the whole report is in the attached file."""
    if blockkit.fits(blocks):
        return blocks, []
    note = blockkit.context("… the whole report is in the attached file `report.txt`.")
    shown: list[dict[str, Any]] = []
    for block in blocks:
        if not blockkit.fits([*shown, block], spare_blocks=1, spare_text=blockkit.blocks_text([note])):
            break
        shown.append(block)
    return [*shown, note], blocks[len(shown) :]


def plain_text(blocks: list[dict[str, Any]]) -> str:
    """Every text of ``blocks``, one per line, as a person reads it (mrkdwn entities undone)."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict) and value.get("type") != "actions":  # buttons' labels are not the report
            if isinstance(value.get("text"), str):
                out.append(value["text"])
            for key, v in value.items():
                if key != "accessory":
                    walk(v)

    walk(blocks)
    return "\n".join(out).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def refused_text(cfg: Any, exc: ChannelUnavailable, bot: str) -> Mrkdwn:
    """Why report ``cfg`` was not posted, for its owner or whoever ran it."""
    what = Msg(f"report #{cfg.id} ({cfg.kind})", f"보고서 #{cfg.id} ({cfg.kind})")
    then = Msg("it will try again at its next scheduled time", "다음 예약 시각에 다시 시도합니다")
    return channel_help(exc, bot, what, then)


def parse_channel(token: str) -> str:
    m = CHANNEL.match(token.strip())
    if not m:
        raise UsageError(
            f"`{token[:40]}` is not a channel; pick it with # so Slack sends it as <#C…>.",
            f"`{token[:40]}` {josa(token[:40], '는')} 채널이 아닙니다. # 으로 채널을 골라 주세요.",
        )
    return m.group(1) or m.group(2)


def parse_add(args: Sequence[str]) -> tuple[str, str, str, str]:
    """``KIND #channel CRON [TZ]`` where CRON is one quoted argument, an @-macro or five fields."""
    if len(args) < 3:
        raise UsageError(
            "usage: report add KIND #channel CRON [TZ], e.g. report add health #ops 0 9 * * 1-5",
            "사용법: report add 종류 #채널 CRON [시간대], 예: report add health #ops 0 9 * * 1-5",
        )
    kind, channel, rest = args[0].lower(), parse_channel(args[1]), list(args[2:])
    if " " in rest[0].strip() or rest[0].startswith("@"):
        cron, rest = rest[0], rest[1:]
    else:
        cron, rest = " ".join(rest[:5]), rest[5:]
    if len(rest) > 1:
        raise UsageError(
            f"unexpected `{' '.join(rest)[:40]}` after the time zone.",
            f"시간대 뒤에 알 수 없는 인자 `{' '.join(rest)[:40]}`.",
        )
    return kind, channel, cron, rest[0] if rest else ""


def _number(args: Sequence[str]) -> int:
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        raise UsageError("give the report's ID (see `report list`).", "보고서 ID를 입력하세요 (`report list` 참고).")
    return int(args[0].lstrip("#"))


def list_text(service: ReportService, lang: str) -> str:
    rows = service.list()
    if not rows:
        return Msg(
            "No scheduled reports. Add one with `report add`.",
            "예약된 보고서가 없습니다. `report add` 로 추가하세요.",
        )(lang)
    lines = [Msg("*Scheduled reports*", "*예약된 보고서*")(lang)]
    for r in rows:
        lines.append(
            f"• #{r.id} `{escape(r.kind)}` → {channel_link(r.channel)} · `{escape(r.cron)}` {escape(r.tz)} · "
            f"{mention(r.created_by)}"
        )
    return "\n".join(lines)


def report_command(client: Any, deps: Deps, cmd: Command, command: dict[str, Any], respond: Any) -> None:
    """The ``report`` built-in; ``client`` is the app's, bound where the built-in is registered."""
    service = deps.reports
    approvers = deps.services.approvers
    user = command.get("user_id", "")
    lang = locale_lang(client, user)
    verb, args = (cmd.args[0].lower() if cmd.args else "list"), list(cmd.args[1:])

    def say(text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    try:
        if verb == "list":
            say(list_text(service, lang))
            return
        if verb not in ("add", "remove", "run"):
            raise UsageError(
                f"unknown `report {verb[:20]}`; use add, list, remove or run.",
                f"알 수 없는 `report {verb[:20]}`. add, list, remove, run 중 하나를 쓰세요.",
            )
        if not approvers.is_approver(user):
            raise NotAllowed("approvers only")
        if verb == "add":
            kind, channel, cron, tz = parse_add(args)
            row = service.add(kind, channel, cron, tz, user, lang)
            say(
                Msg(
                    f"✅ Report #{row.id} `{row.kind}` will post to <#{row.channel}> at `{row.cron}` ({row.tz}).",
                    f"✅ 보고서 #{row.id} `{row.kind}` {josa(row.kind, '를')} <#{row.channel}> 에 "
                    f"`{row.cron}` ({row.tz})에 게시합니다.",
                )(lang)
            )
        elif verb == "remove":
            report_id = _number(args)
            done = service.remove(report_id, user)
            say(
                (
                    Msg(f"🗑️ Report #{report_id} removed.", f"🗑️ 보고서 #{attach(report_id, '를')} 삭제했습니다.")
                    if done
                    else Msg(f"There is no report #{report_id}.", f"보고서 #{attach(report_id, '가')} 없습니다.")
                )(lang)
            )
        else:
            result = service.run(_number(args), user)
            say(
                (
                    Msg("📨 Posted.", "📨 게시했습니다.")
                    if result.posted
                    else Msg(
                        "Nothing changed since the last post, so nothing was posted.",
                        "지난 게시 이후 변화가 없어 게시하지 않았습니다.",
                    )
                )(lang)
            )
    except ChannelUnavailable as exc:  # the owner was told too, and the audit log has it
        cfg = service.repo.get_config(_number(args))
        say(as_mrkdwn(refused_text(cfg, exc, bot_mention(client)), lang))
    except UsageError as exc:
        say(f"⚠️ {escape(exc.message_ko if lang == 'ko' else exc.message)}")  # it quotes what was typed
    except NotAllowed:
        say(
            Msg(
                f"🚫 Only approvers can change or run reports ({approvers.mention()}).",
                f"🚫 보고서 변경과 실행은 승인자만 할 수 있습니다 ({approvers.mention()}).",
            )(lang)
        )


def ack_only(ack: Any) -> None:
    ack()


@reporting_errors
def diagnose(body: dict[str, Any], client: Any, context: dict[str, Any]) -> None:
    deps = context["deps"]
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id", "")
    found = deps.reports.find_item(str(body["actions"][0].get("value", ""))[:64])
    if found is None:
        client.chat_postEphemeral(
            channel=channel,
            user=user,
            text=Msg(
                "That report item is no longer known; run the report again.",
                "해당 보고서 항목을 찾을 수 없습니다. 보고서를 다시 실행하세요.",
            )(locale_lang(client, user)),
        )
        return
    cfg, item = found
    ask = item["ask"]
    label = item.get("label") or {}
    deps.requests.submit(
        Ask(
            user=user,
            channel=channel or cfg.channel,
            text=str(label.get("en", ""))[:500],
            lang=cfg.lang,
            intent=str(ask["intent"]),
            entities=dict(ask.get("entities") or {}),
        )
    )


def register(app: App, deps: Deps) -> None:
    deps.add_builtin(Builtin("report", USAGE, functools.partial(report_command, app.client)))
    app.action(re.compile(f"^{DIAGNOSE_ACTION}-[0-9a-f]+$"))(ack=ack_only, lazy=[diagnose])
