"""A worker SIGKILLed in the middle of applying a plan: the next worker settles it from live state.

A plan to delete a crash-looping pod is diagnosed and posted, then approved by a signed click. Worker
A claims the approval's job and is held in the step's write (the DELETE, at the Kubernetes stand-in),
after the step's intent row was committed. A is SIGKILLed there. The write then either lands (the
stand-in serves the DELETE A sent: the pod is deleted) or never does (dropped). Worker B claims the
job again: the plan is settled from the intent row and what is live (applied, or failed), the thread
is told once, and no step is written again: the stand-in saw one DELETE, and the plan has one step
row.
"""

from __future__ import annotations

import pytest

from tests.durability.harness import has_buttons
from tests.polling import wait

NAME = "api-7d9f8-zz81m"
POD = f"/api/v1/namespaces/cloudon/pods/{NAME}"
RESTARTED = "restarted while applying this plan"


@pytest.mark.parametrize(
    ("write", "settled", "verdict"), [("lands", "applied", "applied"), ("dropped", "failed", "not_applied")]
)
def test_sigkill_mid_apply_is_settled_once_and_never_written_twice(world, write, settled, verdict):
    trigger = world.slash(f"restart cloudon/{NAME}")
    first = world.worker("a")
    req = wait(lambda: (r := world.request_for(trigger)) is not None and r.state == "open" and r, 90, "the plan")
    (plan,) = world.repo.plans_for_request(req.id)
    assert plan.message_ts

    gate = world.kube.gate("DELETE", POD)
    world.approve(plan)
    gate.wait_held(1)
    assert world.repo.get_plan(plan.id).status == "applying"
    runs = world.repo.step_runs(plan.id)
    assert [(r.step_index, r.state, r.started_at is not None) for r in runs] == [(0, "intent", True)], first.tail()
    assert world.job("approve").attempts == 1
    first.sigkill()
    if write == "lands":
        gate.let_through()
        wait(
            lambda: (pod := world.kube.get("Pod", "cloudon", NAME)) is None or pod["metadata"].get("deletionTimestamp"),
            30,
            "the DELETE the killed worker sent to be served",
        )
    else:
        gate.drop()

    second = world.worker("b")
    wait(lambda: world.job("approve").state == "done", 90, "the approval's job to be finished again", 0.1)
    assert world.job("approve").attempts == 2, second.tail()
    done = world.repo.get_plan(plan.id)
    assert done.status == settled and done.result["reconciled"] is True
    assert [s["verdict"] for s in done.result["steps"]] == [verdict]
    runs = world.repo.step_runs(plan.id)
    assert [(r.step_index, r.state) for r in runs] == [(0, verdict)]
    assert runs[0].reconciled_at is not None
    assert world.kube.count_requests("DELETE", POD) == 1  # the one A sent; B wrote nothing
    thread = world.thread(world.request_for(trigger))
    told = [m.text for m in thread if m.thread_ts and RESTARTED in (m.text or "")]
    icon = "✅" if settled == "applied" else "❌"
    assert len(told) == 1 and told[0].startswith(f"{icon} #{plan.id} "), [m.text for m in thread]
    assert len([m for m in thread if "applying…" in (m.text or "")]) == 1  # A's; B did not start over
    # the plan's buttons are gone, and nothing else can be approved: a deleted pod has no undo
    assert not [m for m in thread if has_buttons(m)]
    assert [p.id for p in world.repo.plans_for_request(req.id)] == [plan.id]
