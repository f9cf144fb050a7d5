"""Integration: the sysctl diagnoser against moto (EKS) and the Kubernetes stand-in, in the three demo worlds.

Plans are applied the way the services layer does it (read -> compare with ``before`` -> apply),
then verified by the diagnoser and reverted. The worlds' imitation kubelet and Pod Security admission
decide from live state whether a new pod runs, so a wrong fix leaves verification failing.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import FixPlan, Msg, PlanStep, Request
from bot.errors import StalePlan
from handlers.sysctl import DIAGNOSER, OPERATIONS
from sandbox.worlds import sysctl as worlds
from tests.steps import run_steps

OPS = {op.name: op for op in OPERATIONS}


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch):
    """moto builds its EC2 backend (and loads ~1,300 default AMIs, 2-4 s) on every EKS CreateNodegroup
    after a reset; these worlds use no AMI, so skip loading them (moto reads this at backend creation)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def apply_plan(ctx, plan: FixPlan) -> list[tuple[PlanStep, Any]]:
    return [(done.step, done.observed) for done in run_steps(ctx, plan.steps, OPS.__getitem__)]


def ask(ctx, pod="ubuntu"):
    return DIAGNOSER.diagnose(ctx, Request("sysctl", {"namespace": "default", "pod": pod}))


def test_world_a_1_28_al2_answers_with_the_notes_node_group(cluster_ctx, aws, kube_stand_in):
    worlds.seed_keepalive_on_128(aws, kube_stand_in)
    diag = ask(cluster_ctx)
    assert diag.codes()[:3] == ["sysctl.rejected.kubelet", "sysctl.safe_after_upgrade", "sysctl.nodeconfig"]
    files = next(f for f in diag.findings if f.code == "sysctl.nodeconfig").data["files"]
    assert files[0]["filename"] == "eksctl-ng-al2-sysctl.yaml"
    assert "/etc/eks/bootstrap.sh prod --kubelet-extra-args" in files[0]["content"]
    assert "region: ap-northeast-1" in files[0]["content"]
    assert diag.plans == ()
    assert aws.counter.snapshot().get("eks:DescribeNodegroup") == 1
    events = kube_stand_in.list("Event", "default")
    assert [e["reason"] for e in events] == ["SysctlForbidden"]


def test_world_b_lagging_kubelets_then_recreate_after_the_upgrade(cluster_ctx, aws, kube_stand_in):
    facts = worlds.seed_lagging_nodegroup(aws, kube_stand_in)
    diag = ask(cluster_ctx)
    assert "sysctl.kubelet_lagging" in diag.codes() and "sysctl.nodeconfig" not in diag.codes()
    upgrade = next(f for f in diag.findings if f.code == "sysctl.upgrade_nodes")
    assert upgrade.data == {"nodegroups": ["ng-al2"], "nodepools": [], "version": "1.30"}
    assert diag.plans == ()
    # "can I set this?" is answered from every node group of the cluster
    question = DIAGNOSER.diagnose(cluster_ctx, Request("sysctl", {"sysctl": "net.core.somaxconn", "value": "4096"}))
    assert question.codes() == ["sysctl.unsafe", "sysctl.nodeconfig"] and question.target == "net.core.somaxconn"
    free_text = DIAGNOSER.diagnose(cluster_ctx, Request("sysctl", {}, text="keepalive 설정이 안 먹어요"))
    assert "sysctl.kubelet_lagging" in free_text.codes() and "sysctl.keepalive.explain" in free_text.codes()

    # recreating the pod before the upgrade does not help: the imitation kubelet rejects it again
    pod = kube_stand_in.get("Pod", "default", "ubuntu")
    early = PlanStep(
        "sysctl.recreate_pod",
        {"namespace": "default", "name": "ubuntu"},
        {"uid": pod["metadata"]["uid"], "phase": "Failed", "reason": "SysctlForbidden"},
        {},
        Msg.same("recreate"),
    )
    early_plan = FixPlan(
        "sysctl",
        Msg.same("recreate"),
        (early,),
        verify={"namespace": "default", "pod": "ubuntu", "sysctls": {"net.ipv4.tcp_keepalive_intvl": "60"}},
    )
    wait, cluster_ctx.wait_seconds = cluster_ctx.wait_seconds, 0.3
    apply_plan(cluster_ctx, early_plan)
    result = DIAGNOSER.verify(cluster_ctx, early_plan)
    assert not result.ok and "SysctlForbidden" in result.message.en
    cluster_ctx.wait_seconds = wait

    # people upgrade the node group as advised; the rejected pod stays Failed (kubelets never retry)
    worlds.roll_out_nodegroup(aws, kube_stand_in, facts["world"], "ng-al2", "ng-al2", "1.30")
    diag = ask(cluster_ctx)
    (plan,) = diag.plans
    old_uid = kube_stand_in.get("Pod", "default", "ubuntu")["metadata"]["uid"]
    apply_plan(cluster_ctx, plan)
    result = DIAGNOSER.verify(cluster_ctx, plan)
    assert result.ok, result.message.en
    pod = kube_stand_in.get("Pod", "default", "ubuntu")
    assert pod["metadata"]["uid"] != old_uid and pod["status"]["phase"] == "Running"
    assert OPS[plan.steps[0].op].revert(plan.steps[0], None) is None


def test_world_c_psa_pin_fix_stale_check_verify_and_revert(cluster_ctx, aws, kube_stand_in):
    worlds.seed_psa_pinned(aws, kube_stand_in)
    assert kube_stand_in.list("Pod", "default") == []  # admission refuses every pod
    diag = ask(cluster_ctx)
    assert diag.codes()[0] == "sysctl.rejected.psa"
    (plan,) = diag.plans
    ns = kube_stand_in.get("Namespace", None, "default")
    ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"] = "v1.27"
    kube_stand_in.put(ns)  # someone changed the label since the diagnosis
    with pytest.raises(StalePlan):
        apply_plan(cluster_ctx, plan)
    ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"] = "v1.28"
    kube_stand_in.put(ns)
    done = apply_plan(cluster_ctx, plan)
    assert done[0][1] == {"value": "v1.30"}
    result = DIAGNOSER.verify(cluster_ctx, plan)
    assert result.ok, result.message.en
    step, observed = done[0]
    revert = OPS[step.op].revert(step, observed)
    apply_plan(cluster_ctx, FixPlan("sysctl", plan.title, (revert,)))
    labels = kube_stand_in.get("Namespace", None, "default")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce-version"] == "v1.28"


def test_world_c_then_keepalive_time_is_added_to_the_deployment(cluster_ctx, aws, kube_stand_in):
    worlds.seed_psa_pinned(aws, kube_stand_in)
    apply_plan(cluster_ctx, ask(cluster_ctx).plans[0])
    running = [p for p in kube_stand_in.list("Pod", "default") if p["status"]["phase"] == "Running"]
    diag = ask(cluster_ctx, running[0]["metadata"]["name"])
    assert "sysctl.running" in diag.codes() and "sysctl.keepalive.time_missing" in diag.codes()
    (plan,) = diag.plans
    done = apply_plan(cluster_ctx, plan)
    result = DIAGNOSER.verify(cluster_ctx, plan)
    assert result.ok and "net.ipv4.tcp_keepalive_time=300" in result.message.en
    step, observed = done[0]
    apply_plan(cluster_ctx, FixPlan("sysctl", plan.title, (OPS[step.op].revert(step, observed),)))
    template = kube_stand_in.get("Deployment", "default", "ubuntu")["spec"]["template"]["spec"]
    assert template["securityContext"]["sysctls"] == [{"name": "net.ipv4.tcp_keepalive_intvl", "value": "60"}]
