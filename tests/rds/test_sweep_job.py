"""The whole sweep against moto and SQLite with a fake clock: scheduled stop at 20:00 KST, the
7-day self-restart re-stopped and announced, missed windows caught up once, adoption proposed once."""

from __future__ import annotations

from datetime import timedelta

from handlers.rds.discovery import describe_target
from handlers.rds.persistence.book import RepoScheduleBook
from handlers.rds.sweep_job import SweepJob
from sandbox.worlds.rds import simulate_self_restart, tick
from tests.rds.helpers import Clock, kst


class Recorder:
    def __init__(self):
        self.notes: list[tuple[str, str, dict]] = []
        self.audits: list[tuple[str, str, object, object]] = []

    def notify(self, en, ko, details):
        self.notes.append((en, ko, details))

    def audit(self, kind, summary, before, after):
        self.audits.append((kind, summary, before, after))


def _job(aws, repo, clock):
    rec = Recorder()
    return SweepJob(aws, RepoScheduleBook(repo), rec.notify, rec.audit, clock), rec


def _cluster_status(aws):
    return describe_target(aws, "cluster", "portal").get("cluster", "portal").status


def test_schedule_stops_at_20_kst_and_restops_after_self_restart(rds_world, sqlite_repo):
    aws, _ = rds_world
    sch = sqlite_repo.upsert_schedule(
        "cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul", created_by="U-dev", approved_by="U-ops"
    )
    clock = Clock(kst(2026, 11, 27, 19, 55))  # Friday
    job, rec = _job(aws, sqlite_repo, clock)
    first = job.run()
    assert first.done == [] and _cluster_status(aws) == "available"
    # The adoption proposal is for billing-db only: portal is already scheduled via its cluster.
    assert [p["target_id"] for p in first.proposals] == []
    clock.set(kst(2026, 11, 27, 20, 0))
    out = job.run()
    assert [(d["action"], d["api"], d["cause"], d["result"], d["state"]) for d in out.done] == [
        ("stop", "stop_db_cluster", f"schedule:{sch.id}", "ok", "stopping")
    ]
    # AWS answers StopDBCluster with "stopping"; the bot says so rather than "stopped".
    assert _cluster_status(aws) == "stopping"
    assert rec.audits[-1][0] == "schedule_action" and rec.audits[-1][3] == {"state": "stopping"}
    assert "now stopping" in rec.notes[-1][0] and "중지 중" in rec.notes[-1][1]
    clock.set(kst(2026, 11, 27, 20, 3))
    assert job.run().done == []  # still stopping: nothing to do, no second StopDBCluster
    tick()
    assert _cluster_status(aws) == "stopped"
    clock.set(kst(2026, 11, 27, 20, 5))
    assert job.run().done == []  # nothing to do while stopped
    simulate_self_restart(aws, "portal")
    clock.set(kst(2026, 11, 29, 15, 0))  # Sunday: still in the weekend stop period
    out = job.run()
    assert [(d["action"], d["cause"]) for d in out.done] == [("stop", "self_restart")]
    tick()
    assert _cluster_status(aws) == "stopped"
    en, ko, details = rec.notes[-1]
    assert "re-stopped cluster portal after it started itself" in en and "7일" in ko
    assert details["cause"] == "self_restart"
    log = sqlite_repo.actions_between(kst(2026, 11, 27, 0), kst(2026, 11, 30, 0))
    assert [(r.action, r.cause, r.result) for r in log] == [
        ("stop", f"schedule:{sch.id}", "ok"),
        ("start", "self_restart", "observed"),
        ("stop", "self_restart", "ok"),
    ]
    clock.set(kst(2026, 11, 30, 8, 0))  # Monday start
    assert [(d["action"], d["state"]) for d in job.run().done] == [("start", "starting")]
    tick()
    assert _cluster_status(aws) == "available"


def test_missed_windows_are_caught_up_once(rds_world, sqlite_repo):
    aws, _ = rds_world
    sqlite_repo.upsert_schedule("instance", "billing-db", "0 20 * * *", "0 8 * * *", "Asia/Seoul")
    clock = Clock(kst(2026, 11, 23, 23, 40))  # the bot was down through the 20:00 stop
    job, rec = _job(aws, sqlite_repo, clock)
    out = job.run()
    assert [(d["action"], d["api"], d["catch_up"]) for d in out.done] == [("stop", "stop_db_instance", True)]
    for minutes in (5, 10, 15):
        clock.set(kst(2026, 11, 23, 23, 40) + timedelta(minutes=minutes))
        assert job.run().done == []
    assert (
        len([r for r in sqlite_repo.actions_between(kst(2026, 11, 23, 0), kst(2026, 11, 25, 0)) if r.action == "stop"])
        == 1
    )
    tick()
    aws.client("rds").start_db_instance(DBInstanceIdentifier="billing-db")  # leave the world as found
    tick()


def test_tagged_member_is_proposed_as_its_cluster_once(rds_world, sqlite_repo):
    aws, _ = rds_world
    clock = Clock(kst(2026, 11, 23, 12, 0))
    job, rec = _job(aws, sqlite_repo, clock)
    out = job.run()
    assert [(p["target_kind"], p["target_id"]) for p in out.proposals] == [("cluster", "portal")]
    assert out.proposals[0]["request"]["entities"]["db"] == "portal"
    assert "autostop=yes" in rec.notes[-1][0]
    clock.set(kst(2026, 11, 23, 12, 5))
    assert job.run().proposals == []
    assert out.api_calls == 3  # tagging + describe clusters + describe instances
