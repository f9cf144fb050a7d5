"""The RDS lines in App Home's list of schedules and reports: the enabled stop/start schedules."""

from __future__ import annotations

from bot.cloud.context import FeaturePorts
from bot.domain import Msg
from handlers.rds.inputs import RdsPorts

SHOWN = 15  # App Home shows the first schedules only; the rest are one `/ops rds` away


def home_lines(ports: FeaturePorts, lang: str) -> list[str]:
    found = ports.get(RdsPorts)
    if found is None or found.store is None:
        return []
    return [
        Msg(
            f"• RDS {s.target_kind} `{s.target_id}`: stop `{s.stop_cron}`, start `{s.start_cron}` {s.tz}",
            f"• RDS {s.target_kind} `{s.target_id}`: 중지 `{s.stop_cron}`, 시작 `{s.start_cron}` {s.tz}",
        )(lang)
        for s in found.store.every_schedule()[:SHOWN]
    ]
