"""One cron dialect for reports and RDS schedules: croniter's, whose weekday 0 and 7 are Sunday.

croniter documents both Sunday spellings and the ``@daily``-style aliases (its README, "Usage" and
"About DST"); these tests pin the behaviour the bot relies on so a croniter upgrade that changed it
would fail here rather than in a schedule.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cron import check_cron, next_fire, prev_fire, zone
from bot.errors import UsageError
from bot.services.reports import check_cron as report_cron
from handlers.rds.commands import check_cron as rds_cron
from handlers.rds.commands import check_tz

SEOUL = ZoneInfo("Asia/Seoul")


def test_whitespace_is_normalised() -> None:
    assert check_cron("  0   9 *  * 1-5 ") == "0 9 * * 1-5"


@pytest.mark.parametrize("bad", ["0 9 * *", "0 25 * * *", "0 9 * * * *", "", "every day", "@daily"])
def test_rds_times_need_exactly_five_valid_fields(bad: str) -> None:
    with pytest.raises(UsageError) as err:
        rds_cron(bad, "stop cron")
    assert "not a valid 5-field stop cron expression" in err.value.message
    assert "올바른 5필드 stop cron 식이 아닙니다" in err.value.message_ko


def test_reports_admit_shortcuts_but_not_six_fields() -> None:
    assert report_cron("@daily") == "@daily"
    with pytest.raises(UsageError):
        report_cron("0 0 9 * * *")
    with pytest.raises(UsageError):
        report_cron("@fortnightly")


def test_sunday_is_both_zero_and_seven() -> None:
    saturday_noon = datetime(2026, 12, 5, 12, 0, tzinfo=SEOUL)
    sunday_nine = datetime(2026, 12, 6, 9, 0, tzinfo=SEOUL)
    assert next_fire("0 9 * * 0", saturday_noon) == sunday_nine
    assert next_fire("0 9 * * 7", saturday_noon) == sunday_nine


def test_fires_are_strictly_after_and_before() -> None:
    at_nine = datetime(2026, 12, 7, 9, 0, tzinfo=SEOUL)  # a Monday
    assert next_fire("0 9 * * 1-5", at_nine) == datetime(2026, 12, 8, 9, 0, tzinfo=SEOUL)
    assert prev_fire("0 9 * * 1-5", at_nine) == datetime(2026, 12, 4, 9, 0, tzinfo=SEOUL)


def test_time_zones() -> None:
    assert zone("Asia/Seoul") == SEOUL
    assert check_tz("UTC") == "UTC"
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(UsageError) as err:
            zone(bad)
        assert "unknown time zone" in err.value.message
