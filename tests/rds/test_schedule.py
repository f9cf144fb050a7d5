"""Schedules, overrides and ``/ops rds`` argument parsing, with a controllable clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import UsageError
from handlers.rds.commands import override_until, parse_duration, parse_rds
from handlers.rds.schedule import Override, Schedule, desired_state, next_action, upcoming
from tests.rds.helpers import KST, kst

WEEKDAYS = Schedule("cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul", id=1)


@pytest.mark.parametrize(
    "when, expected",
    [
        (kst(2026, 11, 23, 19, 59), "running"),  # Monday before the stop
        (kst(2026, 11, 23, 20, 0), "stopped"),  # exactly at the stop firing
        (kst(2026, 11, 24, 3, 0), "stopped"),  # night
        (kst(2026, 11, 24, 8, 0), "running"),  # Tuesday start
        (kst(2026, 11, 28, 12, 0), "stopped"),  # Saturday: stopped since Friday 20:00
        (kst(2026, 11, 30, 7, 59), "stopped"),  # Monday before the start
    ],
)
def test_desired_state_follows_the_latest_firing(when, expected):
    assert desired_state(WEEKDAYS, (), when) == expected


def test_time_zone_is_respected():
    utc = Schedule("cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "UTC")
    # 20:30 KST Monday is 11:30 UTC: running under a UTC schedule, stopped under a KST one.
    assert desired_state(utc, (), kst(2026, 11, 23, 20, 30)) == "running"
    assert desired_state(WEEKDAYS, (), kst(2026, 11, 23, 20, 30)) == "stopped"


def test_override_keeps_running_then_expires_by_itself():
    now = kst(2026, 11, 23, 19, 0)
    ovr = Override("cluster", "portal", now + timedelta(hours=3))
    assert desired_state(WEEKDAYS, [ovr], kst(2026, 11, 23, 21, 0)) == "running"
    assert desired_state(WEEKDAYS, [ovr], kst(2026, 11, 23, 22, 0)) == "stopped"
    other = Override("instance", "billing-db", now + timedelta(hours=3))
    assert desired_state(WEEKDAYS, [other], kst(2026, 11, 23, 21, 0)) == "stopped"
    nxt = next_action(WEEKDAYS, [ovr], kst(2026, 11, 23, 20, 30))
    assert (nxt.action, nxt.at) == ("stop", kst(2026, 11, 23, 22, 0))


def test_disabled_schedule_wants_nothing():
    off = Schedule("cluster", "portal", enabled=False)
    assert desired_state(off, (), kst(2026, 11, 23, 21, 0)) is None
    assert next_action(off, (), kst(2026, 11, 23, 21, 0)) is None


def test_next_action_and_preview_skip_the_weekend():
    nxt = next_action(WEEKDAYS, (), kst(2026, 11, 27, 21, 0))  # Friday night
    assert (nxt.action, nxt.at.astimezone(KST).strftime("%a %H:%M")) == ("start", "Mon 08:00")
    preview = upcoming(WEEKDAYS, kst(2026, 11, 23, 12, 0), 3)
    assert [(p.action, p.at) for p in preview] == [
        ("stop", kst(2026, 11, 23, 20)),
        ("start", kst(2026, 11, 24, 8)),
        ("stop", kst(2026, 11, 24, 20)),
    ]


def test_parse_schedule_command():
    ents = parse_rds(["schedule", "portal-rds-1", "stop", "0 20 * * 1-5", "start", "0 8 * * 1-5", "tz=Asia/Seoul"])
    assert ents == {
        "verb": "schedule",
        "db": "portal-rds-1",
        "stop_cron": "0 20 * * 1-5",
        "start_cron": "0 8 * * 1-5",
        "tz": "Asia/Seoul",
    }
    short = parse_rds(["schedule", "billing-db", "stop", "21:30", "start", "07:05", "days=1-5"])
    assert (short["stop_cron"], short["start_cron"]) == ("30 21 * * 1-5", "5 7 * * 1-5")


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["schedule", "portal", "stop", "0 25 * * *", "start", "0 8 * * *"], "not a valid 5-field"),
        (["schedule", "portal", "stop", "0 20 * * *"], "give both stop and start"),
        (
            ["schedule", "portal", "stop", "0 20 * * *", "start", "0 8 * * *", "tz=Mars/Olympus"],
            "unknown time zone",
        ),
        (["schedule", "portal", "when", "night"], "unexpected `when`"),
        (["stop"], "usage: rds stop DB"),
        (["stop", "bad--name"], "not an RDS identifier"),
        (["keep-running", "portal", "for", "2 hours"], "not a duration"),
        (["keep-running", "portal", "for", "9d"], "at most 7 days"),
        (["keep-running", "portal", "until", "25:00"], "not a time"),
        (["reboot", "portal"], "unknown rds command"),
    ],
)
def test_parse_errors_name_what_was_wrong(args, fragment):
    with pytest.raises(UsageError) as err:
        parse_rds(args)
    assert fragment in err.value.message
    assert err.value.message_ko


def test_keep_running_until_rolls_to_the_next_day():
    now = kst(2026, 11, 23, 23, 30)
    assert override_until({"until": "23:00"}, now, "Asia/Seoul") == kst(2026, 11, 24, 23, 0)
    assert override_until({"until": "23:45"}, now, "Asia/Seoul") == kst(2026, 11, 23, 23, 45)
    assert override_until({"for": "1h30m"}, now) == now + timedelta(minutes=90)
    assert parse_rds(["keep-running", "Portal", "for", "2h"]) == {
        "verb": "keep-running",
        "db": "portal",
        "for": "2h",
    }
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_rds([]) == {"verb": "list"}
