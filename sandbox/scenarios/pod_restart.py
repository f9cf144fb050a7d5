"""Scenario pod-restart: list pods, see the stuck one, restart it with approval, verify the new pod."""

from __future__ import annotations

import time

from sandbox.runtime import DEV, Sandbox
from sandbox.scenarios.common import approve_and_wait, latest_plan
from sandbox.worlds.pods import seed_pod_restart_world


def run(sandbox: Sandbox):
    from sandbox.demo import Outcome

    facts = seed_pod_restart_world(sandbox.kube)
    ns, stuck = facts["namespace"], facts["stuck"]
    sandbox.slash(f"pods {ns}")
    listing = sandbox.wait_request(lambda r: r.intent == "pods")
    sandbox.slash(f"restart {ns}/{stuck}")
    req = sandbox.wait_request(lambda r: r.intent == "pod_restart")
    plan = latest_plan(sandbox, req.id)
    sandbox.click("approve_plan", plan.id, user=DEV, message_ts=plan.message_ts)  # the requester: refused
    plan = approve_and_wait(sandbox, plan.id)
    # The deleted pod is Terminating until the stand-in's kubelet has stopped it; wait for that.
    deadline = time.monotonic() + 20
    while any(p["metadata"]["name"] == stuck for p in sandbox.kube.list("Pod", ns)) and time.monotonic() < deadline:
        time.sleep(0.1)
    pods = sandbox.kube.list("Pod", ns)
    replacement = [
        p
        for p in pods
        if p["metadata"]["name"].startswith(facts["owner"] + "-")
        and p["metadata"]["name"] not in (stuck, "api-7d9f8-k2x9q")
    ]
    gone = all(p["metadata"]["name"] != stuck for p in pods)
    running = [p for p in replacement if (p.get("status") or {}).get("phase") == "Running"]
    refused = [r for r in sandbox.repo.audit_rows(plan_id=plan.id) if r.kind == "refused"]
    ok = plan.status == "applied" and gone and bool(running) and bool(refused) and listing.state == "done"
    detail = (
        f"plan #{plan.id} {plan.status}; old pod gone={gone}; replacement running="
        f"{[p['metadata']['name'] for p in running]}; requester's own approval refused={bool(refused)}"
    )
    return Outcome(ok, detail)
