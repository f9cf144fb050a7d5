"""The ``/ops rds ...`` sub-command: argument parsing into request entities (crons, time zones,
keep-running durations). Pure.

``rds list [FILTER]``, ``rds schedule DB stop CRON start CRON [tz=ZONE]``, ``rds stop DB``,
``rds start DB``, ``rds keep-running DB for 2h|until HH:MM``. Every form becomes intent
``rds_schedule`` with entity ``verb``; the diagnoser (``handlers.rds.diagnoser``) dispatches on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot import cron as cron_rules
from bot.domain import Msg
from bot.errors import UsageError
from bot.korean import josa
from handlers.base import CommandSpec
from handlers.rds.schedule import DEFAULT_TZ

INTENT = "rds_schedule"
VERBS = ("list", "schedule", "stop", "start", "keep-running")
# RDS identifiers: a letter, then letters/digits/hyphens, at most 63, no "--", no trailing "-".
_IDENT = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_OVERRIDE = timedelta(days=7)
USAGE = (
    'rds list [FILTER] | rds schedule DB stop "0 20 * * 1-5" start "0 8 * * 1-5" [tz=Asia/Seoul] | '
    "rds stop DB | rds start DB | rds keep-running DB for 2h|until 23:00"
)


def check_cron(expr: str, what: str = "cron") -> str:
    """An RDS stop or start time: exactly five cron fields (no ``@`` shortcuts)."""
    return cron_rules.check_cron(expr, what)


def check_tz(name: str) -> str:
    cron_rules.zone(name)
    return name


def parse_duration(text: str) -> timedelta:
    m = _DURATION.match(text.strip().lower())
    if not text.strip() or not m or not any(m.groups()):
        raise UsageError(
            f"`{text[:30]}` is not a duration like 2h, 90m or 1h30m.",
            f"`{text[:30]}` {josa(text[:30], '는')} 2h, 90m, 1h30m 같은 기간이 아닙니다.",
        )
    days, hours, minutes = (int(g or 0) for g in m.groups())
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    if delta > MAX_OVERRIDE:
        raise UsageError(
            "keep-running lasts at most 7 days; change the schedule for longer.",
            "keep-running은 최대 7일입니다. 더 길게는 스케줄을 바꾸세요.",
        )
    return delta


def override_until(ents: Mapping[str, str], now: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """When a keep-running request ends: ``for`` a duration, or ``until`` the next HH:MM in ``tz``."""
    if ents.get("for"):
        return now + parse_duration(ents["for"])
    m = _HHMM.match(ents.get("until", ""))
    if not m:
        raise UsageError("say `for 2h` or `until 23:00`.", "`for 2h` 또는 `until 23:00` 형식으로 입력하세요.")
    local = now.astimezone(cron_rules.zone(tz))
    end = local.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(now.tzinfo)


def _time_to_cron(hhmm: str, days: str) -> str:
    m = _HHMM.match(hhmm)
    if not m:
        return hhmm
    return f"{int(m.group(2))} {int(m.group(1))} * * {days}"


def parse_schedule_args(args: Sequence[str]) -> dict[str, str]:
    """``DB stop CRON start CRON [tz=ZONE] [days=1-5]``; HH:MM stands for a daily cron on ``days``."""
    if not args:
        raise UsageError(
            'usage: rds schedule DB stop "0 20 * * 1-5" start "0 8 * * 1-5" [tz=Asia/Seoul]',
            '사용법: rds schedule DB stop "0 20 * * 1-5" start "0 8 * * 1-5" [tz=Asia/Seoul]',
        )
    out = {"db": args[0]}
    rest = list(args[1:])
    days = "*"
    for a in rest:
        if a.startswith("days="):
            days = a.split("=", 1)[1] or "*"
    i = 0
    while i < len(rest):
        word = rest[i].lower()
        if word in ("stop", "start") and i + 1 < len(rest):
            out[f"{word}_cron"] = check_cron(_time_to_cron(rest[i + 1], days), f"{word} cron")
            i += 2
            continue
        if word.startswith("tz="):
            out["tz"] = check_tz(rest[i].split("=", 1)[1])
        elif not word.startswith("days="):
            raise UsageError(
                f"unexpected `{rest[i][:40]}`; expected stop CRON, start CRON or tz=ZONE.",
                f"`{rest[i][:40]}` {josa(rest[i][:40], '는')} 알 수 없는 인자입니다. stop CRON, start CRON, tz=ZONE 만 "
                f"가능합니다.",
            )
        i += 1
    if ("stop_cron" in out) != ("start_cron" in out):
        raise UsageError(
            "give both stop and start (a database left stopped restarts itself after 7 days).",
            "stop 과 start를 모두 지정하세요 (중지된 DB는 7일 뒤 스스로 시작됩니다).",
        )
    return out


def parse_keep_running_args(args: Sequence[str]) -> dict[str, str]:
    """``DB for 2h`` or ``DB until 23:00``."""
    if len(args) != 3 or args[1].lower() not in ("for", "until"):
        raise UsageError(
            "usage: rds keep-running DB for 2h | until 23:00",
            "사용법: rds keep-running DB for 2h | until 23:00",
        )
    word = args[1].lower()
    if word == "for":
        parse_duration(args[2])
    elif not _HHMM.match(args[2]):
        raise UsageError(
            f"`{args[2][:20]}` is not a time like 23:00.",
            f"`{args[2][:20]}` {josa(args[2][:20], '는')} 23:00 같은 시각이 아닙니다.",
        )
    return {"db": args[0], word: args[2]}


def check_db(name: str) -> str:
    if not _IDENT.match(name):
        raise UsageError(
            f"`{name[:70]}` is not an RDS identifier (a letter, then letters, digits and single hyphens).",
            f"`{name[:70]}` {josa(name[:70], '는')} RDS 식별자가 아닙니다 (영문자로 시작, 영문자·숫자·하이픈).",
        )
    return name.lower()


def parse_rds(args: list[str]) -> dict[str, str]:
    if not args:
        return {"verb": "list"}
    verb, rest = args[0].lower(), args[1:]
    if verb == "list":
        if len(rest) > 1:
            raise UsageError("usage: rds list [FILTER]", "사용법: rds list [FILTER]")
        return {"verb": "list", **({"filter": rest[0][:64]} if rest else {})}
    if verb == "schedule":
        ents = parse_schedule_args(rest)
        return {"verb": "schedule", **ents, "db": check_db(ents["db"])}
    if verb in ("stop", "start"):
        if len(rest) != 1:
            raise UsageError(f"usage: rds {verb} DB", f"사용법: rds {verb} DB")
        return {"verb": verb, "db": check_db(rest[0])}
    if verb in ("keep-running", "keep_running", "keeprunning"):
        ents = parse_keep_running_args(rest)
        return {"verb": "keep-running", **ents, "db": check_db(ents["db"])}
    raise UsageError(
        f"unknown rds command `{verb[:30]}`; use one of: {', '.join(VERBS)}.",
        f"알 수 없는 rds 명령 `{verb[:30]}`. 가능한 명령: {', '.join(VERBS)}.",
    )


COMMANDS = (
    CommandSpec(
        "rds",
        USAGE,
        Msg(
            "RDS/Aurora: list databases, stop/start schedules (approved by ops), stop/start now, "
            "keep a database running for a while.",
            "RDS/Aurora: DB 목록, 중지/시작 스케줄 (운영팀 승인), 즉시 중지/시작, 일시적으로 계속 실행.",
        ),
        INTENT,
        parse_rds,
    ),
)
