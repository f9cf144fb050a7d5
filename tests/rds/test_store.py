"""ScheduleRepo and migration 0002 on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from bot.store.db import make_engine
from bot.store.migrate import downgrade, upgrade
from handlers.rds.persistence.tables import RdsScheduleRow
from tests.rds.helpers import kst


def test_migration_creates_and_drops_the_tables(db_url):
    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"rds_schedules", "rds_overrides", "rds_actions"} <= tables
        uniques = inspect(engine).get_unique_constraints("rds_schedules")
        assert any(set(u["column_names"]) == {"cluster_key", "target_kind", "target_id"} for u in uniques)
        downgrade(db_url, "0001_spine")
        assert not {"rds_schedules", "rds_overrides", "rds_actions"} & set(inspect(engine).get_table_names())
        upgrade(db_url)
        assert "rds_actions" in set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upsert_replaces_the_schedule_of_a_target(repo):
    t0 = kst(2026, 11, 23, 10)
    first = repo.upsert_schedule(
        "cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul", created_by="U1", approved_by="U2", now=t0
    )
    second = repo.upsert_schedule(
        "cluster", "portal", "0 22 * * *", "0 7 * * *", "UTC", approved_by="U3", now=t0 + timedelta(hours=1)
    )
    assert first.id == second.id
    [row] = repo.list_schedules()
    assert (row.stop_cron, row.tz, row.created_by, row.approved_by) == ("0 22 * * *", "UTC", "U1", "U3")
    assert row.created_at == t0 and row.updated_at == t0 + timedelta(hours=1)
    repo.upsert_schedule("cluster", "portal", "0 22 * * *", "0 7 * * *", "UTC", cluster_key="other-eks")
    assert len(repo.list_schedules()) == 2 and len(repo.list_schedules(cluster_key="")) == 1


def test_unique_constraint_is_enforced_by_the_database(repo):
    repo.upsert_schedule("instance", "billing-db", "0 20 * * *", "0 8 * * *", "Asia/Seoul")
    with pytest.raises(IntegrityError), repo.sessions.begin() as s:
        s.add(
            RdsScheduleRow(
                cluster_key="",
                target_kind="instance",
                target_id="billing-db",
                stop_cron="x",
                start_cron="y",
                tz="UTC",
                enabled=True,
                created_by="",
                approved_by="",
            )
        )


def test_overrides_expire_by_themselves_and_can_be_ended(repo):
    now = kst(2026, 11, 23, 19)
    sch = repo.upsert_schedule("cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul")
    repo.add_override(sch.id, now + timedelta(hours=2), "patching", "U9", now=now)
    [live] = repo.active_overrides(now + timedelta(hours=1))
    assert (live.target_kind, live.target_id, live.reason, live.until) == (
        "cluster",
        "portal",
        "patching",
        now + timedelta(hours=2),
    )
    assert repo.active_overrides(now + timedelta(hours=2)) == []
    assert repo.end_overrides(sch.id, now + timedelta(minutes=30)) == 1
    assert repo.active_overrides(now + timedelta(minutes=31)) == []
    assert len(repo.overrides_between(now - timedelta(days=1), now + timedelta(days=1))) == 1


def test_action_log_is_ordered_and_filtered(repo):
    t = kst(2026, 11, 23, 20)
    repo.record_action("cluster", "portal", "start", "self_restart", "observed", at=t + timedelta(hours=2))
    repo.record_action("cluster", "portal", "stop", "schedule:1", at=t)
    repo.record_action("cluster", "portal", "propose", "tag:autostop=yes", at=t - timedelta(days=30))
    rows = repo.actions_between(t - timedelta(days=1), t + timedelta(days=1))
    assert [(r.action, r.result, r.at) for r in rows] == [
        ("stop", "ok", t),
        ("start", "observed", t + timedelta(hours=2)),
    ]
    assert [r.action for r in repo.actions_between(t - timedelta(days=60), t, action="propose")] == ["propose"]
