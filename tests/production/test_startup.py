"""A replica killed while applying a plan: the next start settles it, says so in the thread, audits it.

End to end through the sandbox (real app over HTTP, Kubernetes stand-in, Slack stand-in): a plan is
proposed by a real ``/ops restart``; the dead replica is simulated by moving the plan to ``applying``
in the database (as ``ApplyService.apply`` does first) with or without the live change made.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.services.startup import GRACE, on_start
from sandbox.runtime import REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        yield sb


def _interrupted_plan(sb: Sandbox, minutes_ago: float):
    facts = seed_pod_restart_world(sb.kube)
    sb.slash(f"restart cloudon/{facts['stuck']}")
    req = sb.wait_request(lambda r: r.intent == "pod_restart")
    plan = sb.repo.plans_for_request(req.id)[0]
    then = sb.clock() - timedelta(minutes=minutes_ago)
    assert sb.repo.transition(plan.id, "proposed", "approved", then)
    assert sb.repo.transition(plan.id, "approved", "applying", then)
    return req, plan, facts["stuck"]


def _thread_text(sb: Sandbox, req) -> str:
    return json.dumps([[m.text, m.blocks] for m in sb.slack.thread(REQUEST_CHANNEL, req.thread_ts)], ensure_ascii=False)


def test_plan_applied_before_the_crash_is_marked_applied_and_told(sandbox):
    req, plan, pod = _interrupted_plan(sandbox, minutes_ago=10)
    sandbox.kube.remove("Pod", "cloudon", pod)  # the dead replica had already deleted the pod
    report = on_start(sandbox.bot)
    assert (report.reconciled, report.deferred) == (1, 0)
    assert sandbox.repo.get_plan(plan.id).status == "applied"
    rows = [r for r in sandbox.repo.audit_rows(plan_id=plan.id) if r.actor == "reconciler"]
    assert [r.kind for r in rows] == ["applied"]
    assert "interrupted while applying" in rows[0].summary and "matches" in rows[0].summary
    assert "restarted while applying this plan" in _thread_text(sandbox, req)
    assert on_start(sandbox.bot).reconciled == 0  # a second start finds nothing left


def test_plan_not_applied_before_the_crash_is_marked_failed_never_silently(sandbox):
    req, plan, pod = _interrupted_plan(sandbox, minutes_ago=10)
    assert on_start(sandbox.bot).reconciled == 1
    assert sandbox.repo.get_plan(plan.id).status == "failed"
    assert sandbox.kube.get("Pod", "cloudon", pod) is not None  # nothing was applied behind anyone's back
    rows = [r for r in sandbox.repo.audit_rows(plan_id=plan.id) if r.actor == "reconciler"]
    assert [r.kind for r in rows] == ["failed"] and "does not match" in rows[0].summary
    assert "restarted while applying this plan" in _thread_text(sandbox, req)


def test_a_plan_another_replica_may_still_be_applying_is_left_alone_until_grace_passes(sandbox):
    req, plan, pod = _interrupted_plan(sandbox, minutes_ago=1)
    later: list = []
    report = on_start(sandbox.bot, schedule=lambda seconds, fn: later.append((seconds, fn)))
    assert (report.reconciled, report.deferred) == (0, 1)
    assert sandbox.repo.get_plan(plan.id).status == "applying"
    ((seconds, fn),) = later
    remaining = (GRACE - timedelta(minutes=1)).total_seconds()
    assert remaining - 5 <= seconds <= remaining
    sandbox.kube.remove("Pod", "cloudon", pod)
    sandbox.clock.advance(timedelta(seconds=seconds + 1))
    assert fn().reconciled == 1
    assert sandbox.repo.get_plan(plan.id).status == "applied"


def test_migrations_add_the_account_column(db_url):
    engine = sa.create_engine(db_url)
    try:
        columns = {c["name"]: c for c in sa.inspect(engine).get_columns("requests")}
    finally:
        engine.dispose()
    assert "account_id" in columns and columns["account_id"]["nullable"] is False
