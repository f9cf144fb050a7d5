"""Twenty approve clicks at once through HTTP, on SQLite and on PostgreSQL: the pod is deleted once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox.runtime import OPS, OPS2, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_twenty_concurrent_clicks_apply_once(moto_sandbox, backend):
    moto_sandbox.reset()
    if backend == "postgresql":
        from tests.pg import fresh_database

        ctx = fresh_database()
        url = ctx.__enter__()
    else:
        ctx, url = None, ""
    try:
        with Sandbox(moto=moto_sandbox, database_url=url) as sandbox:
            facts = seed_pod_restart_world(sandbox.kube)
            sandbox.slash(f"restart cloudon/{facts['stuck']}")
            plan = sandbox.repo.plans_for_request(sandbox.wait_request(lambda r: r.intent == "pod_restart").id)[0]
            sandbox.kube.reset_requests()
            users = [OPS, OPS2] * 10
            with ThreadPoolExecutor(max_workers=20) as pool:
                codes = list(
                    pool.map(
                        lambda u: (
                            sandbox.click("approve_plan", plan.id, user=u, message_ts=plan.message_ts).status_code
                        ),
                        users,
                    )
                )
            assert codes == [200] * 20
            done = sandbox.wait_plan_status(plan.id, ("applied", "failed"))
            assert done.status == "applied"
            deletes = [r for r in sandbox.kube.requests if r[0] == "DELETE"]
            assert len(deletes) == 1
            applied = [r for r in sandbox.repo.audit_rows(plan_id=plan.id) if r.kind == "applied"]
            assert len(applied) == 1
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
