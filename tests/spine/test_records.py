"""The repository hands out frozen records that carry every column of their table, under the same names."""

from __future__ import annotations

import dataclasses

import pytest

from bot.store.models import AuditRow, PlanRow, RequestRow, StepRunRow
from bot.store.records import AuditRecord, PlanRecord, RequestRecord, StepRunRecord
from tests.spine.test_plans_store import make

PAIRS = [(RequestRecord, RequestRow), (PlanRecord, PlanRow), (StepRunRecord, StepRunRow), (AuditRecord, AuditRow)]


@pytest.mark.parametrize(("record", "row"), PAIRS, ids=[r.__name__ for r, _ in PAIRS])
def test_a_record_has_exactly_its_tables_columns(record, row) -> None:
    assert [f.name for f in dataclasses.fields(record)] == [c.key for c in row.__table__.columns]


def test_what_the_repository_returns_is_a_frozen_record(db_url) -> None:
    svc, plans, store, plan, rec, engine = make(db_url)
    try:
        assert plans.approve(plan.id, "U_OPS").ok
        repo = svc.repo
        got = [
            repo.get_plan(plan.id),
            repo.get_request(plan.request_id),
            *repo.plans_for_request(plan.request_id),
            *repo.plans_with_status("applied"),
            *repo.latest_requests(),
            *repo.requests_of("U_DEV"),
            *repo.step_runs(plan.id),
            *repo.audit_rows(plan_id=plan.id),
        ]
        assert {type(r) for r in got} == {PlanRecord, RequestRecord, StepRunRecord, AuditRecord}
        applied = repo.get_plan(plan.id)
        assert applied.status == "applied" and applied.result == {"observed": [{"replicas": 3}]}
        with pytest.raises(dataclasses.FrozenInstanceError):
            applied.status = "proposed"  # type: ignore[misc]
    finally:
        engine.dispose()
