"""LAZY_WORKERS: lazy listeners run in a spawned worker process; acks and refusals stay in the server."""

from __future__ import annotations

from bot.sandbox.runtime import DEV, OPS, Sandbox
from bot.sandbox.worlds.pods import seed_pod_restart_world
from bot.slack.workers import LazyWorkers


def test_restart_flow_with_lazy_work_in_a_worker_process(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        workers = LazyWorkers(sandbox.settings.model_dump(), 1).start()
        workers.attach(sandbox.bot.app)
        try:
            facts = seed_pod_restart_world(sandbox.kube)
            assert sandbox.slash(f"restart cloudon/{facts['stuck']}").status_code == 200
            req = sandbox.wait_request(lambda r: r.intent == "pod_restart", timeout=60)
            plan = sandbox.repo.plans_for_request(req.id)[0]
            assert sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts).status_code == 200
            assert sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts).status_code == 200
            done = sandbox.wait_plan_status(plan.id, ("applied", "failed"), timeout=60)
        finally:
            workers.stop()
        assert done.status == "applied"
        kinds = [r.kind for r in sandbox.repo.audit_rows(plan_id=plan.id)]
        assert kinds.count("refused") == 1 and kinds.count("applied") == 1 and "verified" in kinds
        assert len(sandbox.slack.ephemerals()) == 1  # the requester's refusal, told once
        assert sandbox.kube.get("Pod", "cloudon", facts["stuck"]) is None
