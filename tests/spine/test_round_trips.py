"""How often one decision goes to the database, counted with SQLAlchemy's engine events.

A state change and its audit row commit together (``Repo.unit``), so an approval and an ``/ops``
request each take a handful of write transactions. A round trip is one statement sent: an approval
reads its plan (with the request) once and passes the record along, a transition reads the plan back
in the same ``UPDATE ... RETURNING``, and the deciding approval moves the plan straight to applying;
the ceilings are what the code does, so a change that adds round trips is seen here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, event

from sandbox import Sandbox
from sandbox.worlds import image_pull as worlds
from tests.polling import wait
from tests.spine.test_plans_store import make

WRITES = ("INSERT", "UPDATE", "DELETE")
# the job that carries a request to a worker (its row, claim, heartbeats, finish) is counted apart
JOB_TABLES = re.compile(r"\b(?:INTO|UPDATE|FROM)\s+(?:jobs|job_workers)\b", re.IGNORECASE)


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    write_transactions: int = 0
    job_statements: list[str] = field(default_factory=list)
    _writing: set[int] = field(default_factory=set)


@contextmanager
def counted(engine: Engine) -> Iterator[Tally]:
    """Statements sent, and transactions committed that wrote something, while the block runs."""
    tally = Tally()

    def on_statement(conn, cursor, statement, *_: object) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if JOB_TABLES.search(statement):
            tally.job_statements.append(statement.split("(", 1)[0].strip()[:40])
            return
        tally.statements.append(verb)
        if verb in WRITES:
            tally._writing.add(id(conn))

    def on_commit(conn) -> None:
        if id(conn) in tally._writing:
            tally._writing.discard(id(conn))
            tally.write_transactions += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)


def test_approving_a_one_step_plan_takes_ten_statements_in_five_transactions(db_url) -> None:
    svc, plans, store, plan, rec, engine = make(db_url)
    try:
        with counted(engine) as tally:
            assert plans.approve(plan.id, "U_OPS").ok
        assert store.writes == 1 and svc.repo.get_plan(plan.id).status == "applied"
        # approved (so applying) with its audit row | step intent | step outcome with its audit row |
        # applied (and any plan it reverts) | verified with the request settled
        assert tally.write_transactions <= 5, tally
        # the plan with its request; the approval (its dedupe: one approval decides a low-risk plan,
        # so nobody else's is read); applying and the approval's audit row | the step's intent, alone,
        # before the write | its outcome and audit row | applied (read back) | verified and the
        # request settled
        assert len(tally.statements) <= 10, tally.statements
        kinds = [r.kind for r in svc.repo.audit_rows(plan_id=plan.id)]
        assert kinds[-3:] == ["approved", "applied", "verified"]
    finally:
        engine.dispose()


def test_the_deciding_approval_leaves_the_plan_applying_so_a_retried_click_settles_it(db_url) -> None:
    """A worker that dies right after the decision commits leaves a plan some worker will settle: it is
    already ``applying``, never ``approved`` with nobody applying it."""
    svc, plans, store, plan, rec, engine = make(db_url)
    try:
        apply = plans.applier.apply

        def dies(*_: object) -> None:
            raise RuntimeError("the worker died before applying")

        plans.applier.apply = dies
        with pytest.raises(RuntimeError):
            plans.approve(plan.id, "U_OPS")
        assert svc.repo.get_plan(plan.id).status == "applying"
        assert [r.kind for r in svc.repo.audit_rows(plan_id=plan.id)][-1] == "approved"
        plans.applier.apply = apply
        assert plans.approve(plan.id, "U_OPS", resume=True).ok
        settled = svc.repo.get_plan(plan.id)
        # nothing was written, and live state says so: settled as not applied, never written now
        assert (settled.status, store.writes) == ("failed", 0)
        assert [s["verdict"] for s in settled.result["steps"]] == ["not_applied"]
    finally:
        engine.dispose()


def test_a_request_with_a_plan_takes_at_most_four_write_transactions(moto_sandbox) -> None:
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        facts = worlds.seed_missing_tag_world(sb.aws, sb.kube)
        with counted(sb.bot.engine) as tally:
            sb.slash(f"pull {facts['namespace']}")
            request = sb.wait_request(lambda r: r.intent == "image_pull")  # its last write is its state
            # the worker finishes the job after the handler's last write: count that finish too
            idle = sb.bot.jobs.counts
            wait(lambda: idle().queued == 0 and idle().running == 0, 30, "the request's job to be finished")
        assert request.state == "open" and sb.repo.plans_for_request(request.id)
        # delivery + request + audit; the thread's place; plans + audit + diagnosis; messages + state
        assert tally.write_transactions <= 4, tally
        # and the job that carried it from the ack to a worker: one row, claimed once
        assert tally.job_statements.count("INSERT INTO jobs") == 1, tally.job_statements
        assert sum(s.startswith("UPDATE jobs") for s in tally.job_statements) >= 2, tally.job_statements
