"""The RDS lines of App Home: every enabled schedule, of every cluster key, in the reader's language."""

from __future__ import annotations

from bot.cloud.context import FeaturePorts
from handlers import registry
from handlers.rds.home import SHOWN, home_lines
from handlers.rds.inputs import RdsPorts
from handlers.rds.persistence.book import RepoScheduleBook


def test_enabled_schedules_of_every_cluster_key_are_listed(sqlite_repo) -> None:
    sqlite_repo.upsert_schedule("cluster", "orders", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul")
    sqlite_repo.upsert_schedule("instance", "reports", "0 22 * * *", "0 7 * * *", "UTC", cluster_key="prod")
    sqlite_repo.upsert_schedule("instance", "paused", "0 22 * * *", "0 7 * * *", "UTC", enabled=False)
    ports = FeaturePorts(RdsPorts(store=RepoScheduleBook(sqlite_repo)))

    assert home_lines(ports, "en") == [
        "• RDS cluster `orders`: stop `0 20 * * 1-5`, start `0 8 * * 1-5` Asia/Seoul",
        "• RDS instance `reports`: stop `0 22 * * *`, start `0 7 * * *` UTC",
    ]
    assert home_lines(ports, "ko")[0] == "• RDS cluster `orders`: 중지 `0 20 * * 1-5`, 시작 `0 8 * * 1-5` Asia/Seoul"
    assert registry.home_lines(ports, "en") == home_lines(ports, "en")


def test_only_the_first_schedules_are_shown(sqlite_repo) -> None:
    for n in range(SHOWN + 3):
        sqlite_repo.upsert_schedule("instance", f"db-{n:02}", "0 22 * * *", "0 7 * * *", "UTC")
    lines = home_lines(FeaturePorts(RdsPorts(store=RepoScheduleBook(sqlite_repo))), "en")
    assert len(lines) == SHOWN and "`db-00`" in lines[0]


def test_a_process_without_the_schedule_store_lists_nothing() -> None:
    assert home_lines(FeaturePorts(RdsPorts()), "en") == []
    assert home_lines(FeaturePorts(), "en") == []
