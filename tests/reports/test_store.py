"""``ReportRepo`` on SQLite and PostgreSQL (migrated by Alembic): configs, runs in order, one removal."""

from __future__ import annotations

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
