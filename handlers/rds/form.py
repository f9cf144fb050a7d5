"""The RDS schedule form: ``/ops rds schedule DB`` without crons opens it; submitting files the request.

Days, stop time, start time and time zone (default ``DEFAULT_TIMEZONE``) become the same request
as the text form ``/ops rds schedule DB stop "M H * * D" start "M H * * D" tz=...``, so the
schedule is a plan that ops approve like any other. The core's form listener opens the view and
reads the submission; this module only lays it out and reads its values. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import Msg
from bot.korean import josa
from handlers.base import Form

CALLBACK = "rds_schedule_modal"
DAYS = (
    ("1", Msg("Mon", "월")),
    ("2", Msg("Tue", "화")),
    ("3", Msg("Wed", "수")),
    ("4", Msg("Thu", "목")),
    ("5", Msg("Fri", "금")),
    ("6", Msg("Sat", "토")),
    ("0", Msg("Sun", "일")),
)


def opens(intent: str, entities: Mapping[str, str]) -> bool:
    return intent == "rds_schedule" and entities.get("verb") == "schedule" and "stop_cron" not in entities


def _text(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def schedule_view(entities: Mapping[str, str], lang: str, tz: str) -> dict[str, Any]:
    """The modal, pre-filled with the usual weekday schedule (stop 20:00, start 08:00)."""
    db = entities["db"]
    options = [{"text": _text(label(lang)), "value": value} for value, label in DAYS]
    return {
        "type": "modal",
        "title": _text(Msg("RDS schedule", "RDS 스케줄")(lang)),
        "submit": _text(Msg("Propose", "승인 요청")(lang)),
        "close": _text(Msg("Cancel", "취소")(lang)),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": Msg(
                        f"Stop and start *{db}* on a schedule. Ops approve it before it takes effect.",
                        f"*{db}* {josa(db, '를')} 스케줄에 따라 중지·시작합니다. 운영팀이 승인하면 적용됩니다.",
                    )(lang),
                },
            },
            {
                "type": "input",
                "block_id": "days",
                "label": _text(Msg("Days", "요일")(lang)),
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": options,
                    "initial_options": options[:5],
                },
            },
            {
                "type": "input",
                "block_id": "stop",
                "label": _text(Msg("Stop at", "중지 시각")(lang)),
                "element": {"type": "timepicker", "action_id": "value", "initial_time": "20:00"},
            },
            {
                "type": "input",
                "block_id": "start",
                "label": _text(Msg("Start at", "시작 시각")(lang)),
                "element": {"type": "timepicker", "action_id": "value", "initial_time": "08:00"},
            },
            {
                "type": "input",
                "block_id": "tz",
                "label": _text(Msg("Time zone", "시간대")(lang)),
                "element": {"type": "plain_text_input", "action_id": "value", "initial_value": tz},
            },
        ],
    }


def _value(state: Mapping[str, Any], block: str) -> Any:
    element = (state.get(block) or {}).get("value") or {}
    if "selected_options" in element:
        return [o["value"] for o in element["selected_options"] or []]
    return element.get("selected_time") or element.get("value") or ""


def crons_from(state: Mapping[str, Any], lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """(entities, errors): the crons and time zone from the submitted view, or per-field errors."""
    problems: dict[str, str] = {}
    days = sorted(_value(state, "days"), key=lambda d: (d == "0", d))
    if not days:
        problems["days"] = Msg("Pick at least one day.", "요일을 하나 이상 고르세요.")(lang)
    stop, start, tz = _value(state, "stop"), _value(state, "start"), str(_value(state, "tz")).strip()
    for block, value in (("stop", stop), ("start", start)):
        if not isinstance(value, str) or len(value.split(":")) != 2:
            problems[block] = Msg("Pick a time.", "시각을 고르세요.")(lang)
    if stop and stop == start:
        problems["start"] = Msg("Start and stop must differ.", "시작과 중지 시각이 같을 수 없습니다.")(lang)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        problems["tz"] = Msg(
            f"Unknown time zone `{tz[:40]}` (e.g. Asia/Seoul).", f"알 수 없는 시간대 `{tz[:40]}` (예: Asia/Seoul)."
        )(lang)
    if problems:
        return {}, problems
    dow = ",".join(days)

    def cron(hhmm: str) -> str:
        hour, minute = hhmm.split(":")
        return f"{int(minute)} {int(hour)} * * {dow}"

    return {"stop_cron": cron(stop), "start_cron": cron(start), "tz": tz}, {}


def request_text(entities: Mapping[str, str]) -> str:
    return f"rds schedule {entities['db']}"


FORM = Form(CALLBACK, "rds_schedule", opens, schedule_view, crons_from, request_text)
