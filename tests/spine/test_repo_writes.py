"""The repository's conditional writes on SQLite and PostgreSQL: a transition reads the plan back in
its own statement, and a request is settled only once none of its plans is live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store.db import make_engine, make_session_factory
from bot.store.records import PlanRecord, RequestRecord
from bot.store.repo import Repo

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def repo(db_url):
    engine = make_engine(db_url)
    yield Repo(make_session_factory(engine))
    engine.dispose()


def _request(repo: Repo) -> RequestRecord:
    return repo.add_request(
        user_id="U_DEV", channel="C", thread_ts="1.0", lang="en", intent="test", entities={}, state="open"
    )


def _plan(repo: Repo, request_id: int) -> PlanRecord:
    return repo.add_plan(
        request_id=request_id,
        kind="test",
        title={"en": "t", "ko": "t"},
        risk="low",
        status="proposed",
        steps=[],
        requested_by="U_DEV",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )


def test_a_transition_returns_the_plan_as_it_left_it_or_none_when_the_plan_had_moved(repo) -> None:
    plan = _plan(repo, _request(repo).id)
    approved = repo.transition(plan.id, "proposed", "approved", NOW)
    assert isinstance(approved, PlanRecord)
    assert (approved.status, approved.decided_at, approved.version) == ("approved", NOW, plan.version + 1)
    assert approved == repo.get_plan(plan.id)
    assert repo.transition(plan.id, "proposed", "rejected", NOW) is None  # the compare-and-set lost
    applied = repo.transition(plan.id, "approved", "applied", NOW, result={"observed": [1]})
    assert applied is not None and applied.result == {"observed": [1]} and applied.applied_at == NOW
    assert repo.get_plan(plan.id).status == "applied"


def test_a_request_is_settled_only_once_none_of_its_plans_is_live(repo) -> None:
    req = _request(repo)
    first, second = _plan(repo, req.id), _plan(repo, req.id)
    repo.settle_request(req.id)
    assert repo.get_request(req.id).state == "open"
    repo.transition(first.id, "proposed", "rejected", NOW)
    repo.settle_request(req.id)
    assert repo.get_request(req.id).state == "open"  # the second plan still waits for a decision
    repo.transition(second.id, "proposed", "approved", NOW)
    repo.settle_request(req.id)
    assert repo.get_request(req.id).state == "open"  # approved is live too
    repo.transition(second.id, "approved", "applied", NOW)
    repo.settle_request(req.id)
    assert repo.get_request(req.id).state == "done"


def test_a_plan_is_read_with_its_request_in_one_go(repo) -> None:
    req = _request(repo)
    plan = _plan(repo, req.id)
    assert repo.plan_with_request(plan.id) == (plan, req)
    assert repo.plan_with_request(plan.id + 1000) == (None, None)
