"""Two approvers who click a plan that needs both at the same moment, on PostgreSQL: whichever
counts second sees the other's approval, so the plan is approved and applied once.

Both clicks are held right after their approval row is written (a barrier in the repository's
insert), so each has written before either counts: the interleaving that lost the second approval
when each transaction counted only its own uncommitted row. SQLite allows one writer at a time, so
there the second insert waits for the first click's commit and this interleaving cannot happen.
"""

from __future__ import annotations

import threading

import pytest

from bot.domain import Risk
from bot.store.repo import Repo
from tests.spine.test_plans_store import make


def test_two_approvers_at_once_approve_a_high_risk_plan_exactly_once(db_url, monkeypatch) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: the second approval waits for the first's commit")
    svc, plans, store, plan, rec, engine = make(db_url, risk=Risk.HIGH)
    both_written = threading.Barrier(2, timeout=30)
    insert_once = Repo._insert_once

    def held_after_the_approval(s, table, **values):
        inserted = insert_once(s, table, **values)
        if table.__tablename__ == "approvals":
            both_written.wait()
        return inserted

    monkeypatch.setattr(Repo, "_insert_once", staticmethod(held_after_the_approval))
    outcomes = {}

    def click(user: str) -> None:
        outcomes[user] = plans.approve(plan.id, user)

    try:
        clicks = [threading.Thread(target=click, args=(user,)) for user in ("U_OPS", "U_OPS2")]
        for t in clicks:
            t.start()
        for t in clicks:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in clicks)
        assert all(o.ok for o in outcomes.values()), outcomes
        final = svc.repo.get_plan(plan.id)
        assert final.status == "applied" and store.writes == 1
        assert sorted(svc.repo.approvers(plan.id)) == ["U_OPS", "U_OPS2"]
        approvals = [r.summary for r in svc.repo.audit_rows(plan_id=plan.id) if r.kind == "approved"]
        assert len(approvals) == 2 and sum("approval 1/2" in a for a in approvals) == 1  # one partial, one decision
        assert sum(" approved by " in a for a in approvals) == 1
    finally:
        engine.dispose()
