"""Plans, approvals and audit on SQLite and PostgreSQL: single-use approval under concurrency,
expiry, staleness, self-approval refusal, two approvers for high risk, revert, rollback."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, FixPlan, Msg, PlanStep, Risk
from bot.services.apply import ApplyService
from bot.services.approvers import Approvers
from bot.services.core import Services
from bot.services.plans import PlanService
from bot.services.requests import RequestService
from bot.settings import Settings
from bot.store.db import make_engine, make_session_factory
from bot.store.repo import Repo


class Recorder:
    """A ThreadPort that records what the thread would be told."""

    def __init__(self):
        self.events: list[tuple[str, Any]] = []
        self.lock = threading.Lock()

    def _add(self, kind, detail):
        with self.lock:
            self.events.append((kind, detail))

    def open(self, req, reuse_thread_ts=""):
        return ("1.0", "1.0")

    def status(self, req, state, detail=None):
        self._add("status", state)

    def diagnosis(self, req, diagnosis, plans):
        self._add("diagnosis", [p.id for p in plans])
        return [f"2.{p.id}" for p in plans]

    def plan_changed(self, req, plan, event, detail, extra=None):
        self._add(event, detail.en)

    def reply(self, req, text):
        self._add("reply", text.en)

    def ephemeral(self, channel, user, text):
        self._add("ephemeral", text)

    def ask_intent(self, req, choices):
        self._add("ask", list(choices))


class Store:
    """An in-memory 'live system' with a counter of writes, reached through one operation."""

    def __init__(self):
        self.value = {"replicas": 1}
        self.writes = 0
        self.lock = threading.Lock()
        self.fail_on: Any = None


class SetValue:
    name = "test.set_value"
    reversible = True
    min_risk = Risk.LOW  # its floor; the plan's risk is the step's (``make(risk=...)``)

    def __init__(self, store: Store):
        self.store = store

    def read(self, ctx, params):
        return dict(self.store.value)

    def apply(self, ctx, step):
        with self.store.lock:
            if self.store.fail_on is not None and step.after == self.store.fail_on:
                raise RuntimeError("boom")
            self.store.writes += 1
            self.store.value = dict(step.after)
        return dict(self.store.value)

    def revert(self, step, observed_after):
        return PlanStep(self.name, step.params, observed_after, step.before, Msg("undo", "되돌리기"))


class Contexts:
    def get(self, cluster="", user=""):
        return ClusterContext(aws=None, kube=None, cluster_name="prod")  # the fake operation needs neither

    def default_cluster(self, channel=""):
        return "prod"

    def account_of(self, cluster):
        return ""


def make(db_url: str, clock=None, risk=Risk.LOW):
    store = Store()
    settings = Settings(database_url=db_url, approver_user_ids="U_OPS,U_OPS2,U_OPS3", plan_ttl_minutes=60)
    clock = clock or (lambda: datetime.now(UTC))
    engine = make_engine(db_url)
    repo = Repo(make_session_factory(engine))
    rec = Recorder()
    svc = Services(
        settings,
        repo,
        rec,
        Contexts(),
        Approvers(settings.approver_ids),
        clock,
        operations={"test.set_value": SetValue(store)},
    )
    applier = ApplyService(svc)
    plans = PlanService(svc, applier)
    req = repo.add_request(
        user_id="U_DEV",
        channel="C",
        thread_ts="1.0",
        status_ts="1.0",
        lang="en",
        text="t",
        intent="test_intent",
        entities={},
        target="t",
        cluster="prod",
        state="open",
        created_at=clock(),
    )
    plan = FixPlan(
        "test",
        Msg("scale", "스케일"),
        (PlanStep("test.set_value", {}, {"replicas": 1}, {"replicas": 3}, Msg("scale to 3", "3으로"), risk=risk),),
        risk,
        "t",
    )
    rows = RequestService(svc)._propose(req, Diagnosis("test", "t", Msg("h", "h"), (), (plan,)))
    return svc, plans, store, rows[0], rec, engine


@pytest.fixture
def world(db_url):
    made = make(db_url)
    yield made
    made[-1].dispose()


def test_twenty_concurrent_approvals_apply_exactly_once(world):
    svc, plans, store, plan, rec, _ = world
    users = ["U_OPS", "U_OPS2", "U_OPS3"] * 7
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda u: plans.approve(plan.id, u), users[:20]))
    assert store.writes == 1
    assert store.value == {"replicas": 3}
    assert svc.repo.get_plan(plan.id).status == "applied"
    assert sum(1 for o in outcomes if o.ok) >= 1
    applied = [r for r in svc.repo.audit_rows(plan_id=plan.id) if r.kind == "applied"]
    assert len(applied) == 1
    assert applied[0].before == {"replicas": 1} and applied[0].after == {"replicas": 3}


def test_requester_cannot_approve_own_plan_and_refusal_is_audited(world):
    svc, plans, store, plan, rec, _ = world
    outcome = plans.approve(plan.id, "U_DEV")
    assert not outcome.ok and "someone else" in outcome.message.en
    outcome = plans.approve(plan.id, "U_RANDOM")
    assert not outcome.ok and "Only approvers" in outcome.message.en
    kinds = [r.kind for r in svc.repo.audit_rows(plan_id=plan.id)]
    assert kinds.count("refused") == 2
    assert store.writes == 0 and svc.repo.get_plan(plan.id).status == "proposed"


def test_expired_plan_cannot_be_approved(db_url):
    now = [datetime.now(UTC)]
    svc, plans, store, plan, rec, engine = make(db_url, clock=lambda: now[0])
    now[0] += timedelta(minutes=61)
    outcome = plans.approve(plan.id, "U_OPS")
    assert not outcome.ok and "expired" in outcome.message.en
    assert svc.repo.get_plan(plan.id).status == "expired"
    assert store.writes == 0
    assert ("expired", "Expired before anyone approved it.") in rec.events
    engine.dispose()


def test_the_scheduled_expiry_reads_only_the_plans_that_are_due(db_url):
    now = [datetime.now(UTC)]
    svc, plans, store, plan, rec, engine = make(db_url, clock=lambda: now[0])
    assert svc.repo.proposed_plans_due(now[0]) == [] and plans.expire_due() == 0
    now[0] += timedelta(minutes=60)  # exactly at its expiry: due
    assert [p.id for p in svc.repo.proposed_plans_due(now[0])] == [plan.id]
    assert plans.expire_due() == 1
    assert (
        svc.repo.get_plan(plan.id).status == "expired"
        and ("expired", "Expired before anyone approved it.") in rec.events
    )
    assert svc.repo.proposed_plans_due(now[0]) == [] and plans.expire_due() == 0  # expired once
    engine.dispose()


def test_plans_waiting_leave_out_expired_ones_and_the_asker_s_own(db_url):
    now = datetime.now(UTC)
    svc, _plans, _store, plan, _rec, engine = make(db_url, clock=lambda: now)
    assert [p.id for p in svc.repo.plans_waiting(now, limit=10)] == [plan.id]
    assert svc.repo.plans_waiting(now, limit=10, not_requested_by=plan.requested_by) == []
    assert [p.id for p in svc.repo.plans_waiting(now, limit=10, not_requested_by="U_OPS")] == [plan.id]
    assert svc.repo.plans_waiting(now, limit=0) == []
    assert svc.repo.plans_waiting(plan.expires_at, limit=10) == []  # at its expiry it no longer waits
    engine.dispose()


def test_stale_plan_is_refused_and_nothing_written(world):
    svc, plans, store, plan, rec, _ = world
    store.value = {"replicas": 2}  # somebody changed it after the proposal
    plans.approve(plan.id, "U_OPS")
    row = svc.repo.get_plan(plan.id)
    assert row.status == "failed" and row.result["reason"] == "stale"
    assert store.writes == 0
    assert any(k == "stale" for k, _ in rec.events)
    assert "stale" in [r.kind for r in svc.repo.audit_rows(plan_id=plan.id)]


def test_high_risk_needs_two_distinct_approvers(db_url):
    svc, plans, store, plan, rec, engine = make(db_url, risk=Risk.HIGH)
    assert plans.approve(plan.id, "U_OPS").ok
    assert store.writes == 0 and svc.repo.get_plan(plan.id).status == "proposed"
    again = plans.approve(plan.id, "U_OPS")
    assert not again.ok and "already approved" in again.message.en
    assert plans.approve(plan.id, "U_OPS2").ok
    assert store.writes == 1 and svc.repo.get_plan(plan.id).status == "applied"
    engine.dispose()


def test_revert_is_a_plan_that_needs_approval_and_restores_before(world):
    svc, plans, store, plan, rec, _ = world
    plans.approve(plan.id, "U_OPS")
    assert store.value == {"replicas": 3}
    assert plans.propose_revert(plan.id, "U_OPS").ok
    revert = [p for p in svc.repo.plans_for_request(plan.request_id) if p.reverts_plan_id == plan.id][0]
    assert revert.status == "proposed" and store.value == {"replicas": 3}
    plans.approve(revert.id, "U_OPS2")
    assert store.value == {"replicas": 1}
    assert svc.repo.get_plan(plan.id).status == "reverted"
    assert svc.repo.get_plan(revert.id).status == "applied"


def test_a_revert_whose_audit_row_cannot_be_written_leaves_no_revert_plan(world, monkeypatch):
    svc, plans, store, plan, rec, _ = world
    plans.approve(plan.id, "U_OPS")

    def audit_fails(*_: object, **__: object) -> None:
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(svc, "audit", audit_fails)
    with pytest.raises(RuntimeError):
        plans.propose_revert(plan.id, "U_OPS")
    # the revert plan, its audit row and the request reopened commit together or not at all
    assert [p for p in svc.repo.plans_for_request(plan.request_id) if p.reverts_plan_id == plan.id] == []
    assert svc.repo.get_request(plan.request_id).state != "open"


@pytest.mark.parametrize("decision", ["reject", "expire"])
def test_a_decision_whose_audit_row_cannot_be_written_leaves_the_plan_proposed(world, monkeypatch, decision):
    svc, plans, store, plan, rec, _ = world

    def audit_fails(*_: object, **__: object) -> None:
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(svc, "audit", audit_fails)
    with pytest.raises(RuntimeError):
        if decision == "reject":
            plans.reject(plan.id, "U_OPS")
        else:
            monkeypatch.setattr(svc, "clock", lambda: plan.expires_at + timedelta(seconds=1))
            plans.expire_due()
    # the plan's state and its audit row commit together or not at all
    assert svc.repo.get_plan(plan.id).status == "proposed"


def test_failed_step_rolls_back_earlier_steps(db_url):
    svc, plans, store, plan, rec, engine = make(db_url)
    # rewrite the plan into two steps on the same object; the second one fails
    steps = list(plan.steps) + [
        {
            "op": "test.set_value",
            "params": {},
            "before": {"replicas": 3},
            "after": {"replicas": 9},
            "description": {"en": "to 9", "ko": "9"},
        }
    ]
    svc.repo.set_plan_fields(plan.id, steps=steps)
    store.fail_on = {"replicas": 9}
    plans.approve(plan.id, "U_OPS")
    row = svc.repo.get_plan(plan.id)
    assert row.status == "failed"
    assert store.value == {"replicas": 1}, "the first step must have been undone"
    assert row.result["rolled_back"] == ["test.set_value"]
    engine.dispose()


def test_reject_and_double_reject(world):
    svc, plans, store, plan, rec, _ = world
    assert plans.reject(plan.id, "U_OPS").ok
    second = plans.reject(plan.id, "U_OPS2")
    assert not second.ok and "already rejected" in second.message.en
    assert not plans.approve(plan.id, "U_OPS2").ok
    assert store.writes == 0


def test_reconcile_plan_left_applying(world):
    svc, plans, store, plan, rec, _ = world
    now = datetime.now(UTC)
    assert svc.repo.transition(plan.id, "proposed", "approved", now)
    assert svc.repo.transition(plan.id, "approved", "applying", now)
    store.value = {"replicas": 3}  # the dead replica had written it
    assert plans.applier.reconcile_applying() == 1
    assert svc.repo.get_plan(plan.id).status == "applied"
