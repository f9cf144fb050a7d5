"""Times in a free-text RDS schedule request become the schedule's crons; what cannot be read is said."""

from __future__ import annotations

import pytest

from bot.domain import Lang
from bot.services.reading import parse
from handlers.rds import DIAGNOSER
from handlers.rds.schedule_times import read_times
from tests.rds.conftest import module_kube, rds_ctx, rds_world  # noqa: F401  (fixtures)


@pytest.mark.parametrize(
    "text, stop, start",
    [
        ("stop portal every night at 21:00 and start it at 08:00 on weekdays", "0 21 * * 1-5", "0 8 * * 1-5"),
        ("portal DB 평일 밤 9시에 멈추고 아침 8시에 켜주세요", "0 21 * * 1-5", "0 8 * * 1-5"),
        ("shut down orders-aurora from 9pm to 8am on weekdays", "0 21 * * 1-5", "0 8 * * 1-5"),
        ("portal 21시부터 8시까지 꺼주세요", "0 21 * * 1-5", "0 8 * * 1-5"),
        ("keep portal running from 9am to 6pm on weekdays", "0 18 * * 1-5", "0 9 * * 1-5"),
        ("portal 매일 밤 11시 30분에 중지, 오전 7시 반에 시작", "30 23 * * *", "30 7 * * *"),
        ("stop billing-db every night at 10pm, start at 6am", "0 22 * * *", "0 6 * * *"),
        ("stop db every weekday at 7:30pm start 7am", "30 19 * * 1-5", "0 7 * * 1-5"),
        ("stop analytics on weekends at 20:00 and start at 09:00", "0 20 * * 0,6", "0 9 * * 0,6"),
    ],
)
def test_times_and_days_become_crons(text, stop, start):
    got = read_times(text)
    assert (got.stop_cron, got.start_cron, got.note_en) == (stop, start, "")


def test_a_missing_start_is_proposed_and_said():
    got = read_times("analytics 디비 밤 10시에 꺼줘")
    assert (got.stop_cron, got.start_cron) == ("0 22 * * 1-5", "0 8 * * 1-5")
    assert "08:00" in got.note_en and "08:00" in got.note_ko and "7" in got.note_en


def test_an_hour_without_am_pm_is_read_and_said():
    got = read_times("stop portal at 9 and start at 7")
    assert (got.stop_cron, got.start_cron) == ("0 21 * * 1-5", "0 7 * * 1-5")
    assert "21:00" in got.note_en


@pytest.mark.parametrize(
    "text, phrase", [("stop portal after work", "after work"), ("portal-rds-1 밤에 자동으로 꺼주세요", "밤에")]
)
def test_an_unreadable_time_is_said_with_the_default_proposed(text, phrase):
    got = read_times(text)
    assert (got.stop_cron, got.start_cron) == ("", "")
    assert phrase in got.note_en and "20:00" in got.note_en and "08:00" in got.note_en
    assert phrase in got.note_ko and "20:00" in got.note_ko


def test_parse_carries_the_crons_as_entities():
    ents = parse("portal DB 평일 밤 9시에 멈추고 아침 8시에 켜주세요").entities
    assert (ents["db"], ents["stop_cron"], ents["start_cron"]) == ("portal", "0 21 * * 1-5", "0 8 * * 1-5")


def _diagnose(ctx, text):
    parsed = parse(text)
    assert parsed.intent == "rds_schedule"
    return DIAGNOSER.diagnose(ctx, parsed.to_request(text, "U-dev"))


def test_the_schedule_plan_uses_the_times_read(rds_ctx):  # noqa: F811
    diag = _diagnose(rds_ctx, "portal-rds-1 평일 밤 9시에 멈추고 아침 8시에 켜주세요")
    [plan] = diag.plans
    assert (plan.steps[0].params["stop_cron"], plan.steps[0].params["start_cron"]) == ("0 21 * * 1-5", "0 8 * * 1-5")


def test_the_thread_says_which_time_was_not_read(rds_ctx):  # noqa: F811
    diag = _diagnose(rds_ctx, "portal-rds-1 밤에 자동으로 꺼주세요")
    assert "rds.schedule.times_unread" in diag.codes()
    note = next(f for f in diag.findings if f.code == "rds.schedule.times_unread").title
    assert "밤에" in note(Lang("ko")) and "20:00" in note(Lang("en"))
