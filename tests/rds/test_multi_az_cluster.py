"""A non-Aurora Multi-AZ DB cluster cannot be stopped: the bot refuses to schedule it, with AWS's
reason in English and Korean, and the nightly sweep skips it with one audit entry instead of failing.
The world's own table (``sandbox.worlds.rds_rules``) says what AWS does."""

from __future__ import annotations

import pytest

from bot.domain import Request
from handlers.rds import DIAGNOSER
from handlers.rds.api import decide
from handlers.rds.discovery import discover
from handlers.rds.persistence.book import RepoScheduleBook
from handlers.rds.sweep_job import SweepJob
from sandbox.worlds.rds import expected_after, may_stop, seed_multi_az_cluster
from tests.rds.helpers import Clock, kst


@pytest.fixture(scope="module")
def orders_world(moto_sandbox):
    from bot.cloud.aws import Aws
    from sandbox.aws import SANDBOX_REGION

    moto_sandbox.reset()
    aws = Aws(region=SANDBOX_REGION, max_attempts=1)
    return aws, seed_multi_az_cluster(aws)


@pytest.fixture
def orders_ctx(orders_world, module_kube):
    from bot.cloud.context import ClusterContext
    from sandbox.aws import SANDBOX_ACCOUNT

    aws, _ = orders_world
    return ClusterContext(
        aws=aws, kube=module_kube, cluster_name="prod", account_id=SANDBOX_ACCOUNT, wait_seconds=5.0, poll_seconds=0.05
    )


def test_world_table_says_aws_refuses_stop(orders_world):
    aws, _ = orders_world
    rule = may_stop(aws, "cluster", "orders-db")
    assert rule is not None and rule.id == "multi_az_cluster"
    assert expected_after(aws, "cluster", "orders-db") == "available"


def test_decide_refuses_a_multi_az_db_cluster(orders_world):
    aws, _ = orders_world
    inv = discover(aws)
    cluster = inv.get("cluster", "orders-db")
    for action in ("stop", "start"):
        decision = decide(inv, cluster, action)
        assert decision.outcome == "refuse" and decision.code == "rds.refuse.multi_az_cluster"
        assert "Multi-AZ DB cluster" in decision.reason.en and "Aurora" in decision.reason.en
        assert "Multi-AZ DB 클러스터" in decision.reason.ko
        assert "multi-az-db-clusters-concepts.Limitations" in decision.source


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_schedule_request_is_refused_without_a_plan(orders_ctx, lang):
    diag = DIAGNOSER.diagnose(
        orders_ctx,
        Request("rds_schedule", {"db": "orders-db"}, lang=lang, user="U-dev", text="orders-db 밤에 자동으로 꺼주세요"),
    )
    assert diag.plans == ()
    assert diag.codes()[-1] == "rds.refuse.multi_az_cluster"
    assert "only applies to Aurora DB clusters" in " ".join(e.en for e in diag.findings[-1].evidence)


def test_sweep_skips_the_cluster_with_one_audit_entry(orders_world, sqlite_repo):
    aws, _ = orders_world
    sqlite_repo.upsert_schedule("cluster", "orders-db", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul")
    notes, audits = [], []
    clock = Clock(kst(2026, 11, 27, 20, 1))
    job = SweepJob(
        aws,
        RepoScheduleBook(sqlite_repo),
        lambda en, ko, d: notes.append((en, ko, d)),
        lambda *a: audits.append(a),
        clock,
    )
    out = job.run()
    assert out.done == []  # no StopDBCluster call that AWS would answer with an error
    assert [(n["code"], n["target_id"]) for n in out.notes] == [("rds.sweep.refused", "orders-db")]
    assert "Aurora" in notes[-1][0] and "Multi-AZ" in notes[-1][1]
    assert [(a[0], a[1]) for a in audits] == [("schedule_action", "stop cluster:orders-db refused (schedule)")]
    clock.set(kst(2026, 11, 28, 20, 1))  # Saturday night, same stop period: told once per period only
    again = job.run()
    assert again.done == [] and again.notes == [] and len(audits) == 1
    rows = sqlite_repo.actions_between(kst(2026, 11, 1, 0), kst(2026, 12, 31, 0))
    assert {r.result for r in rows} == {"refused"}
    assert expected_after(aws, "cluster", "orders-db") == "available"
    assert discover(aws).get("cluster", "orders-db").status == "available"


def test_tagged_multi_az_cluster_is_not_proposed_for_adoption(orders_world, sqlite_repo):
    aws, _ = orders_world
    job = SweepJob(
        aws, RepoScheduleBook(sqlite_repo), lambda *a: None, lambda *a: None, Clock(kst(2026, 11, 25, 12, 0))
    )
    assert job.run().proposals == []
