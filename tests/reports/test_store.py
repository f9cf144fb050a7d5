"""``ReportRepo`` on SQLite and PostgreSQL (migrated by Alembic): configs, runs, removal, one run at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.store.db import make_engine, make_session_factory
from bot.store.reports import ReportRepo


def test_report_repo_round_trip(db_url):
    engine = make_engine(db_url)
    repo = ReportRepo(make_session_factory(engine))
    now = datetime(2026, 11, 25, tzinfo=UTC)
    cfg = repo.add_config("health", "C1", "0 9 * * *", "Asia/Seoul", "U_OPS", now, "ko")
    assert repo.last_run(cfg.id) is None
    repo.add_run(cfg.id, now, "a" * 64, {"items": {"k": {"h": "abc"}}}, "1.1")
    repo.add_run(cfg.id, now + timedelta(hours=1), "b" * 64, {"items": {}}, "")
    assert repo.last_run(cfg.id).content_hash == "b" * 64
    assert repo.last_posted(cfg.id).posted_ts == "1.1"
    assert [r.content_hash[0] for r in repo.runs(cfg.id)] == ["a", "b"]
    assert repo.recent_runs()[1].state == {"items": {"k": {"h": "abc"}}}
    assert repo.disable(cfg.id) and not repo.disable(cfg.id)
    assert repo.list_configs() == [] and repo.get_config(cfg.id).lang == "ko"
    engine.dispose()


def test_a_report_is_claimed_by_one_run_at_a_time_and_an_expired_lease_frees_it(db_url):
    engine = make_engine(db_url)
    repo = ReportRepo(make_session_factory(engine))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    cfg = repo.add_config("health", "C1", "0 9 * * *", "UTC", "U_OPS", now)
    lease = timedelta(minutes=10)
    with ThreadPoolExecutor(20) as pool:  # twenty runs racing for the same report
        won = list(pool.map(lambda _: repo.claim(cfg.id, now, lease), range(20)))
    assert won.count(True) == 1
    assert not repo.claim(cfg.id, now + timedelta(minutes=9), lease)  # still held
    assert repo.claim(cfg.id, now + timedelta(minutes=11), lease)  # its holder died: the lease ran out
    repo.release(cfg.id)
    assert repo.claim(cfg.id, now + timedelta(minutes=12), lease)  # released: free at once
    engine.dispose()
